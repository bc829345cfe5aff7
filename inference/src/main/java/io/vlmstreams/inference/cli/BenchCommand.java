package io.vlmstreams.inference.cli;

import io.vlmstreams.inference.engine.EngineStats;
import io.vlmstreams.inference.engine.GenerationSettings;
import io.vlmstreams.inference.engine.InferenceRequest;
import io.vlmstreams.inference.engine.LocalInferenceEngine;
import io.vlmstreams.inference.engine.Outcome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code bench}: throughput and latency of the engine per batch size. For each batch size it runs
 * one warm-up batch, then {@code --rounds} batches cycling through the images, and prints images/s,
 * prefill and decode tokens/s, per-request latency percentiles, and how the time splits between
 * preprocessing, the vision encoder and the decoder. Figures only: nothing is asserted.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Measure engine throughput and latency per batch size.")
public final class BenchCommand implements Callable<Integer> {

    @Mixin
    EngineOptions engine;

    @Option(names = "--batch-sizes", split = ",", defaultValue = "1,2,4,8,16", description = "default: ${DEFAULT-VALUE}")
    List<Integer> batchSizes;

    @Option(names = "--images", description = "folder of images (default: the project's fixtures/upstream/images)")
    Path imagesDir;

    @Option(names = "--max-new-tokens", defaultValue = "32", description = "default: ${DEFAULT-VALUE}")
    int maxNewTokens;

    @Option(names = "--rounds", defaultValue = "3", description = "measured batches per batch size (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--prompt", defaultValue = "Describe this image.")
    String prompt;

    private final PrintStream out;

    public BenchCommand() {
        this(System.out);
    }

    public BenchCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws IOException {
        List<byte[]> images = loadImages();
        int largest = Collections.max(batchSizes);
        try (LocalInferenceEngine e = LocalInferenceEngine.open(engine.config(largest))) {
            out.printf(Locale.ROOT, "model %s on %s, %d images, max_new_tokens %d, %d rounds per batch size%n",
                    e.modelId(), e.executionProvider(), images.size(), maxNewTokens, rounds);
            out.println("batch  images/s  prefill_tok/s  decode_tok/s  p50_ms  p99_ms  | preprocess  encoder  prefill  decode  (share of stage time)");
            int next = 0;
            for (int b : batchSizes) {
                next = run(e, images, b, next, true);
                EngineStats.Snapshot before = e.stats().snapshot();
                List<Long> latencies = new ArrayList<>();
                long wall = 0;
                for (int r = 0; r < rounds; r++) {
                    long t0 = System.nanoTime();
                    next = run(e, images, b, next, false);
                    long took = System.nanoTime() - t0;
                    wall += took;
                    for (int i = 0; i < b; i++) {
                        latencies.add(took);
                    }
                }
                print(b, e.stats().snapshot().minus(before), latencies, wall);
            }
        }
        return 0;
    }

    private int run(LocalInferenceEngine e, List<byte[]> images, int batch, int next, boolean warmup) {
        List<InferenceRequest> requests = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            byte[] img = images.get((next + i) % images.size());
            requests.add(InferenceRequest.generate("bench-" + (next + i), img, prompt, GenerationSettings.greedy(maxNewTokens)));
        }
        for (Outcome o : e.runBatch(requests)) {
            if (o instanceof Outcome.Failure f && !warmup) {
                out.println("  request " + f.requestId() + " failed: " + f.error().getMessage());
            }
        }
        return next + batch;
    }

    private void print(int batch, EngineStats.Snapshot s, List<Long> latencies, long wallNanos) {
        Collections.sort(latencies);
        double wall = wallNanos / 1e9;
        double stages = s.preprocessNanos() + s.encodeNanos() + s.prefillNanos() + s.decodeNanos();
        out.printf(Locale.ROOT, "%5d  %8.2f  %13.1f  %12.1f  %6.0f  %6.0f  | %9.1f%%  %6.1f%%  %6.1f%%  %5.1f%%%n",
                batch,
                s.requests() / wall,
                s.prefillTokens() / (s.prefillNanos() / 1e9),
                s.decodeNanos() == 0 ? 0.0 : (s.generatedTokens() - s.requests()) / (s.decodeNanos() / 1e9),
                percentile(latencies, 0.50) / 1e6,
                percentile(latencies, 0.99) / 1e6,
                100 * s.preprocessNanos() / stages,
                100 * s.encodeNanos() / stages,
                100 * s.prefillNanos() / stages,
                100 * s.decodeNanos() / stages);
    }

    private static double percentile(List<Long> sorted, double q) {
        int i = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    private List<byte[]> loadImages() throws IOException {
        Path dir = imagesDir != null ? imagesDir : Path.of(System.getProperty("vlm.project.dir", "."), "fixtures/upstream/images");
        List<byte[]> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                out.add(Files.readAllBytes(p));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no images in " + dir);
        }
        return out;
    }
}
