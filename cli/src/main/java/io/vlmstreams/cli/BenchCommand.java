package io.vlmstreams.cli;

import io.vlmstreams.cli.kernel.KernelShareTable;
import io.vlmstreams.cli.kernel.MatMulBaseline;
import io.vlmstreams.cli.kernel.StageWork;
import io.vlmstreams.inference.engine.EngineConfig;
import io.vlmstreams.inference.engine.EngineStats;
import io.vlmstreams.inference.engine.GenerationSettings;
import io.vlmstreams.inference.engine.InferenceRequest;
import io.vlmstreams.inference.engine.LocalInferenceEngine;
import io.vlmstreams.inference.engine.Outcome;
import io.vlmstreams.inference.image.DecodedImage;
import io.vlmstreams.inference.image.ImageDecoder;
import io.vlmstreams.inference.image.ImageException;
import io.vlmstreams.inference.image.ImageProcessor;
import io.vlmstreams.inference.image.ImageProcessorConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code bench}: throughput and latency of the engine per batch size. For each batch size it runs
 * one warm-up batch, then {@code --rounds} x lcm(batch size, images) requests in batches of that
 * size, cycling through the images, so every row does the same work: each image equally often
 * (a row of 1 request would otherwise time whichever image came up). It prints images/s,
 * prefill and decode tokens/s, per-request latency percentiles, and how the time splits between
 * preprocessing, the vision encoder and the decoder. The preprocessing section also gives, per
 * image, its tiles and the milliseconds of decoding and of preprocessing. When node and {@code reference/node_modules}
 * are present it first times transformers.js on the same folder and images ({@link TransformersJsBench})
 * and prints the ratios: preprocessing images/s and generation images/s. Last, unless {@code --no-kernel-baseline},
 * each stage's weight-MatMul rate as a share of a plain MatMul of the same shapes and kernel in this process
 * ({@link KernelShareTable}). Figures only: nothing is asserted.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Measure engine throughput and latency per batch size.")
public final class BenchCommand implements Callable<Integer> {

    @Mixin
    EngineOptions engine;

    @Option(names = "--batch-sizes", split = ",", defaultValue = "1,2,4,8,16", description = "default: ${DEFAULT-VALUE}")
    List<Integer> batchSizes;

    @Option(names = "--images", description = "folder of images (default: the 5 sample photographs shipped with the sandbox)")
    Path imagesDir;

    @Option(names = "--max-new-tokens", defaultValue = "32", description = "default: ${DEFAULT-VALUE}")
    int maxNewTokens;

    @Option(names = "--rounds", defaultValue = "1", description = "passes per batch size; a pass is lcm(batch size, images) requests,"
            + " so every image runs equally often in every row (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--prompt", defaultValue = "Describe this image.")
    String prompt;

    @Option(names = "--compare-transformers-js", negatable = true, description =
            "also time transformers.js (reference/bench.mjs) on the same model and images and print the ratios"
                    + " (default: on when node and reference/node_modules are present)")
    Boolean compareTransformersJs;

    @Option(names = "--processor-rounds", defaultValue = "5", description = "rounds over the images for the preprocessing comparison (default: ${DEFAULT-VALUE})")
    int processorRounds;

    @Option(names = "--kernel-baseline", negatable = true, defaultValue = "true", fallbackValue = "true", description =
            "after the batch sizes, time a plain MatMul of each stage's dominant shapes in its kernel (same process and"
                    + " ONNX Runtime settings) and print each stage's share of it (default: ${DEFAULT-VALUE})")
    boolean kernelBaseline;

    @Option(names = "--preprocess-only", description = "only the preprocessing comparison: no generation on either side")
    boolean preprocessOnly;

    /** Preprocessing warm-up, both sides (reference/bench.mjs uses the same figure). */
    static final long WARM_UP_MILLIS = 3_000;

    private final PrintStream out;

    public BenchCommand() {
        this(System.out);
    }

    public BenchCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws IOException {
        List<Path> files = ImageFolder.files(imagesDir);
        List<byte[]> images = new ArrayList<>();
        for (Path p : files) {
            images.add(Files.readAllBytes(p));
        }
        // transformers.js runs first, alone, so the two never compete for the cores or memory
        TransformersJsBench.Result reference = referenceRun(files);
        int largest = Collections.max(batchSizes);
        EngineConfig config = engine.config(largest);
        try (LocalInferenceEngine e = LocalInferenceEngine.open(config)) {
            out.printf(Locale.ROOT, "model %s on %s, %d images, max_new_tokens %d, %d pass(es) of lcm(batch, images) requests per batch size, load average %.2f%n",
                    e.modelId(), e.executionProvider(), images.size(), maxNewTokens, rounds, loadAverage());
            double javaPreprocess = preprocessImagesPerSecond(e, images);
            out.printf(Locale.ROOT, "preprocessing (decode + preprocess + prompt, 1 thread): %.1f images/s%n", javaPreprocess);
            printPerImage(e, config, files, images);
            if (reference != null) {
                out.printf(Locale.ROOT, "transformers.js (read + processor()):                    %.1f images/s  -> ratio %.2fx%n",
                        reference.processorImagesPerSecond(), javaPreprocess / reference.processorImagesPerSecond());
            }
            if (preprocessOnly) {
                return 0;
            }
            if (reference != null) {
                out.printf(Locale.ROOT, "transformers.js generate() (batch 1, %d images, %d new tokens): %.3f images/s, %.1f tok/s%n",
                        reference.generatedImages(), reference.generatedTokens(), reference.generateImagesPerSecond(),
                        reference.generatedTokens() / (reference.generateMillis() / 1000));
            }
            out.println("batch  images/s  prefill_tok/s  decode_tok/s  p50_ms  p99_ms  | preprocess  encoder  prefill  decode  (share of stage time)");
            int next = 0;
            KernelShareTable shares = new KernelShareTable();
            for (int b : batchSizes) {
                next = run(e, images, b, next, true);
                EngineStats.Snapshot before = e.stats().snapshot();
                List<Long> latencies = new ArrayList<>();
                long wall = 0;
                int batches = rounds * lcm(b, images.size()) / b;
                for (int r = 0; r < batches; r++) {
                    long t0 = System.nanoTime();
                    next = run(e, images, b, next, false);
                    long took = System.nanoTime() - t0;
                    wall += took;
                    for (int i = 0; i < b; i++) {
                        latencies.add(took);
                    }
                }
                EngineStats.Snapshot measured = e.stats().snapshot().minus(before);
                print(b, measured, latencies, wall, reference);
                shares.add(b, StageWork.of(e.folder(), measured));
            }
            if (kernelBaseline) {
                try (MatMulBaseline baseline = new MatMulBaseline(config.runtime())) {
                    shares.print(out, baseline);
                } catch (RuntimeException ex) {
                    // the figures above stand; a provider that cannot run a baseline kernel only loses this table
                    out.println("kernel baseline: error: " + ex.getMessage());
                }
            }
            out.printf(Locale.ROOT, "load average at the end %.2f%n", loadAverage());
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

    private TransformersJsBench.Result referenceRun(List<Path> files) throws IOException {
        Optional<TransformersJsBench> tjs = TransformersJsBench.forComparison(compareTransformersJs, out);
        if (tjs.isEmpty()) {
            return null;
        }
        out.println("running transformers.js on the same model and images ...");
        return tjs.get().run(engine.model, engine.dtype, files, maxNewTokens, processorRounds, preprocessOnly);
    }

    /**
     * Single-threaded, like transformers.js's processor(), after the same warm-up as reference/bench.mjs:
     * rounds over the images for {@link #WARM_UP_MILLIS} (the JIT compiles the hot loops about a second in).
     */
    private double preprocessImagesPerSecond(LocalInferenceEngine e, List<byte[]> images) {
        long warmUntil = System.nanoTime() + WARM_UP_MILLIS * 1_000_000L;
        do {
            prepareAll(e, images);
        } while (System.nanoTime() < warmUntil);
        long t0 = System.nanoTime();
        for (int r = 0; r < processorRounds; r++) {
            prepareAll(e, images);
        }
        return (double) processorRounds * images.size() / ((System.nanoTime() - t0) / 1e9);
    }

    /** Per image, after the warm-up of {@link #preprocessImagesPerSecond}: tiles, and decode and preprocess time over the rounds. */
    private void printPerImage(LocalInferenceEngine e, EngineConfig config, List<Path> files, List<byte[]> images) {
        ImageDecoder decoder = new ImageDecoder(config.imageLimits());
        ImageProcessor processor = new ImageProcessor(ImageProcessorConfig.fromJson(e.folder().imageProcessorConfig()));
        int rounds = Math.max(1, processorRounds);
        for (int i = 0; i < images.size(); i++) {
            String name = files.get(i).getFileName().toString();
            try {
                long decodeNanos = 0;
                long processNanos = 0;
                int tiles = 0;
                for (int r = 0; r < rounds; r++) {
                    long t0 = System.nanoTime();
                    DecodedImage image = decoder.decode(images.get(i));
                    long t1 = System.nanoTime();
                    tiles = processor.process(image).tiles();
                    processNanos += System.nanoTime() - t1;
                    decodeNanos += t1 - t0;
                }
                out.printf(Locale.ROOT, "  %-28s tiles %2d  decode %7.1f ms  preprocess %7.1f ms%n",
                        name, tiles, decodeNanos / 1e6 / rounds, processNanos / 1e6 / rounds);
            } catch (ImageException ex) {
                out.printf(Locale.ROOT, "  %-28s not an image the engine takes: %s%n", name, ex.getMessage());
            }
        }
    }

    private void prepareAll(LocalInferenceEngine e, List<byte[]> images) {
        for (int i = 0; i < images.size(); i++) {
            e.prepare(InferenceRequest.generate("prep-" + i, images.get(i), prompt, GenerationSettings.greedy(maxNewTokens)));
        }
    }

    static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private void print(int batch, EngineStats.Snapshot s, List<Long> latencies, long wallNanos, TransformersJsBench.Result reference) {
        Collections.sort(latencies);
        double wall = wallNanos / 1e9;
        double stages = s.preprocessNanos() + s.encodeNanos() + s.prefillNanos() + s.decodeNanos();
        double imagesPerSecond = s.requests() / wall;
        out.printf(Locale.ROOT, "%5d  %8.2f  %13.1f  %12.1f  %6.0f  %6.0f  | %9.1f%%  %6.1f%%  %6.1f%%  %5.1f%%  %s%n",
                batch,
                imagesPerSecond,
                s.prefillTokens() / (s.prefillNanos() / 1e9),
                s.decodeNanos() == 0 ? 0.0 : (s.generatedTokens() - s.requests()) / (s.decodeNanos() / 1e9),
                percentile(latencies, 0.50) / 1e6,
                percentile(latencies, 0.99) / 1e6,
                100 * s.preprocessNanos() / stages,
                100 * s.encodeNanos() / stages,
                100 * s.prefillNanos() / stages,
                100 * s.decodeNanos() / stages,
                reference == null || reference.generatedImages() == 0 ? ""
                        : String.format(Locale.ROOT, "| %.2fx transformers.js", imagesPerSecond / reference.generateImagesPerSecond()));
    }

    private static int lcm(int a, int b) {
        return a / java.math.BigInteger.valueOf(a).gcd(java.math.BigInteger.valueOf(b)).intValue() * b;
    }

    private static double percentile(List<Long> sorted, double q) {
        int i = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }
}
