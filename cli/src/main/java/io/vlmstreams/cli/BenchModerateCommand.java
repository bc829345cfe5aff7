package io.vlmstreams.cli;

import io.vlmstreams.inference.engine.ImageOptions;
import io.vlmstreams.inference.engine.InferenceRequest;
import io.vlmstreams.inference.engine.LocalInferenceEngine;
import io.vlmstreams.inference.engine.Outcome;
import io.vlmstreams.inference.engine.Policy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code bench-moderate}: what policies cost beyond the first. Per image, the time of a moderate
 * request with 1 policy and with {@code --policies} policies (all from one image pass), and of the
 * same policies as separate one-policy requests (an image pass each), median over rounds after a
 * warm-up. Figures only.
 */
@Command(name = "bench-moderate", mixinStandardHelpOptions = true,
        description = "Measure N policies from one image pass against one policy and against N separate requests.")
public final class BenchModerateCommand implements Callable<Integer> {

    static final List<String> QUESTIONS = List.of("Does this image show nudity?", "Is there violence or gore in this image?",
            "Is a weapon visible?", "Are there children in the picture?", "Does the image show drugs or drug use?",
            "Does it contain hate symbols?", "Is there any text in the image?", "Does the image show self-harm?");

    @Mixin
    EngineOptions engine;

    @Option(names = "--image", required = true, arity = "1..*", description = "image files")
    List<Path> images;

    @Option(names = "--policies", defaultValue = "8", description = "policies in the many-policy request (at most 8; default: ${DEFAULT-VALUE})")
    int policies;

    @Option(names = "--rounds", defaultValue = "3", description = "timed rounds after one warm-up (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--max-image-tokens", description = "image tokens per tile (default: the model's)")
    Integer maxImageTokens;

    @Option(names = "--splitting", negatable = true, description = "tile large images (default: the model's)")
    Boolean splitting;

    @Option(names = "--no-separate", description = "skip timing the policies as separate requests")
    boolean noSeparate;

    private final PrintStream out;

    public BenchModerateCommand() {
        this(System.out);
    }

    BenchModerateCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws IOException {
        List<Policy> all = new ArrayList<>();
        for (int i = 0; i < Math.min(policies, QUESTIONS.size()); i++) {
            all.add(new Policy("p" + i, QUESTIONS.get(i), 0.5));
        }
        ImageOptions options = new ImageOptions(null, maxImageTokens, splitting);
        try (LocalInferenceEngine e = LocalInferenceEngine.open(engine.config(1))) {
            for (Path image : images) {
                byte[] bytes = Files.readAllBytes(image);
                double[] one = new double[rounds];
                double[] many = new double[rounds];
                double[] apart = new double[rounds];
                for (int r = -1; r < rounds; r++) {
                    double a = time(e, List.of(InferenceRequest.moderate("one", bytes, "", all.subList(0, 1), options)));
                    double b = time(e, List.of(InferenceRequest.moderate("many", bytes, "", all, options)));
                    double c = 0;
                    if (!noSeparate) {
                        for (Policy p : all) {
                            c += time(e, List.of(InferenceRequest.moderate("apart", bytes, "", List.of(p), options)));
                        }
                    }
                    if (r >= 0) {
                        one[r] = a;
                        many[r] = b;
                        apart[r] = c;
                    }
                }
                double m1 = median(one);
                double mn = median(many);
                out.printf(Locale.ROOT, "%s (%d image tokens) on %s: 1 policy %.0f ms, %d policies in one image pass %.0f ms (%.2fx)%s%n",
                        image.getFileName(), e.estimateImageTokens(InferenceRequest.moderate("n", bytes, "", all, options)),
                        e.modelId(), m1, all.size(), mn, mn / m1,
                        !noSeparate ? String.format(Locale.ROOT, ", %d separate requests %.0f ms (%.2fx)", all.size(),
                                median(apart), median(apart) / m1) : "");
            }
        }
        return 0;
    }

    private static double time(LocalInferenceEngine e, List<InferenceRequest> batch) {
        long t0 = System.nanoTime();
        for (Outcome o : e.runBatch(batch)) {
            if (o instanceof Outcome.Failure f) {
                throw new IllegalStateException(f.error().getMessage());
            }
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
