package io.vlmstreams.cli;

import io.vlmstreams.inference.engine.GenerationSettings;
import io.vlmstreams.inference.engine.InferenceRequest;
import io.vlmstreams.inference.engine.LocalInferenceEngine;
import io.vlmstreams.inference.engine.Outcome;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code soak}: runs model batches continuously for a bounded time (or number of requests) and
 * prints heap and resident memory every interval, then a verdict comparing the first window of
 * samples with the last. A leak of ONNX Runtime tensors or results shows as RSS growing batch
 * after batch; the verdict line says FLAT or GROWING and the exit code is 0 or 2.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = "Run batches continuously and report whether heap and native memory stay flat.")
public final class SoakCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    EngineOptions engine;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Bound bound;

    /** How long to soak: minutes or requests. */
    static final class Bound {
        @Option(names = "--minutes", description = "run for this many minutes")
        Double minutes;

        @Option(names = "--requests", description = "run this many requests")
        Long requests;
    }

    @Option(names = "--batch-size", defaultValue = "4", description = "requests per batch (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--max-new-tokens", defaultValue = "16", description = "default: ${DEFAULT-VALUE}")
    int maxNewTokens;

    @Option(names = "--interval", defaultValue = "10", paramLabel = "SECONDS",
            description = "seconds between memory samples; 0 samples after every batch (default: ${DEFAULT-VALUE})")
    double intervalSeconds;

    @Option(names = "--warmup", defaultValue = "30", paramLabel = "SECONDS",
            description = "seconds of batches before the first sample, at least one pass over the images (default: ${DEFAULT-VALUE})")
    double warmupSeconds;

    @Option(names = "--tolerance-mb", defaultValue = "32", description = "growth still counted as flat (default: ${DEFAULT-VALUE})")
    long toleranceMb;

    @Option(names = "--tolerance-percent", defaultValue = "5",
            description = "growth still counted as flat, as a share of the first window, when larger (default: ${DEFAULT-VALUE})")
    double tolerancePercent;

    @Option(names = "--images", description = "folder of images (default: the 5 sample photographs shipped with the sandbox)")
    Path imagesDir;

    private final PrintStream out;

    public SoakCommand() {
        this(System.out);
    }

    public SoakCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws IOException {
        validate();
        List<byte[]> images = ImageFolder.load(imagesDir);
        long intervalNanos = (long) (intervalSeconds * 1e9);
        long endNanos = bound.minutes != null ? System.nanoTime() + (long) (bound.minutes * 60e9) : Long.MAX_VALUE;
        long limit = bound.requests != null ? bound.requests : Long.MAX_VALUE;
        List<MemorySample> samples = new ArrayList<>();
        try (LocalInferenceEngine e = LocalInferenceEngine.open(engine.config(batchSize))) {
            out.printf(Locale.ROOT, "soak: model %s on %s, batch size %d, max_new_tokens %d%n",
                    e.modelId(), e.executionProvider(), batchSize, maxNewTokens);
            long start = System.nanoTime();
            // Warm-up: at least one pass over every image and --warmup seconds, so sessions, JIT and the
            // native allocators (which keep their peak: batches of different images pad to different
            // sizes) have settled before the first sample; otherwise the first window is a low baseline.
            long warmupRequests = Math.min(limit, Math.max(batchSize, (long) Math.ceil(images.size() / (double) batchSize) * batchSize));
            long warmupEnd = Math.min(endNanos, start + (long) (warmupSeconds * 1e9));
            long done = 0;
            long failures = 0;
            while (done < limit && (done < warmupRequests || System.nanoTime() < warmupEnd)) {
                int n = (int) Math.min(batchSize, limit - done);
                failures += runBatch(e, images, done, n);
                done += n;
            }
            out.printf(Locale.ROOT, "soak: warm-up %d requests in %.1f s%n", done, (System.nanoTime() - start) / 1e9);
            samples.add(sample(start, done, samples.size()));
            long lastSample = System.nanoTime();
            long sampledAt = done;
            while (done < limit && System.nanoTime() < endNanos) {
                int n = (int) Math.min(batchSize, limit - done);
                failures += runBatch(e, images, done, n);
                done += n;
                if (System.nanoTime() - lastSample >= intervalNanos) {
                    samples.add(sample(start, done, samples.size()));
                    lastSample = System.nanoTime();
                    sampledAt = done;
                }
            }
            if (sampledAt != done) {
                samples.add(sample(start, done, samples.size()));
            }
            out.printf(Locale.ROOT, "soak: %d requests in %.1f s, %d failed%n", done, (System.nanoTime() - start) / 1e9, failures);
        }
        SoakVerdict verdict = SoakVerdict.of(samples, toleranceMb << 20, tolerancePercent);
        out.println(verdict.line());
        return verdict.exitCode();
    }

    /** Options that would make the loop run forever or the verdict meaningless get a short error. */
    private void validate() {
        String problem = null;
        if (batchSize < 1) {
            problem = "--batch-size must be at least 1, got " + batchSize;
        } else if (bound.requests != null && bound.requests < 1) {
            problem = "--requests must be at least 1, got " + bound.requests;
        } else if (bound.minutes != null && !(bound.minutes > 0)) {
            problem = "--minutes must be positive, got " + bound.minutes;
        } else if (intervalSeconds < 0 || warmupSeconds < 0) {
            problem = "--interval and --warmup must be >= 0";
        } else if (toleranceMb < 0 || tolerancePercent < 0) {
            problem = "--tolerance-mb and --tolerance-percent must be >= 0";
        }
        if (problem != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), problem);
        }
    }

    /** Runs one batch of {@code n} requests; returns how many failed. */
    private long runBatch(LocalInferenceEngine e, List<byte[]> images, long first, int n) {
        List<InferenceRequest> requests = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long id = first + i;
            requests.add(InferenceRequest.generate("soak-" + id, images.get((int) (id % images.size())),
                    "Describe this image.", GenerationSettings.greedy(maxNewTokens)));
        }
        return e.runBatch(requests).stream().filter(o -> o instanceof Outcome.Failure).count();
    }

    private MemorySample sample(long startNanos, long requests, int index) {
        MemorySample s = MemorySample.take();
        out.printf(Locale.ROOT, "sample %d: t=%.1fs requests=%d heap_used_mb=%.1f rss_mb=%s peak_rss_mb=%s%n", index,
                (System.nanoTime() - startNanos) / 1e9, requests, s.heapUsedBytes() / 1048576.0,
                mb(s.rssBytes()), mb(s.peakRssBytes()));
        return s;
    }

    private static String mb(long bytes) {
        return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", bytes / 1048576.0);
    }
}
