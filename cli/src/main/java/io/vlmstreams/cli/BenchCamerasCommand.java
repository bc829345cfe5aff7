package io.vlmstreams.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

import io.vlmstreams.cli.cameras.CameraBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench-cameras}: camera feeds through the embedded broker and the real application, below,
 * at and above the capacity it measures, with the freshness settings off and on. See {@link CameraBench}.
 */
@Command(name = "bench-cameras", mixinStandardHelpOptions = true,
        description = "Measure camera feeds end to end: frames sent, answered, dropped by reason, event-to-answer latency.")
public final class BenchCamerasCommand implements Callable<Integer> {

    @Option(names = "--cameras", defaultValue = "4", description = "cameras sending frames (default: ${DEFAULT-VALUE})")
    int cameras;

    @Option(names = "--fps", defaultValue = "1", description = "frames per second per camera of the first run (default: ${DEFAULT-VALUE})")
    double fps;

    @Option(names = "--seconds", defaultValue = "20", description = "seconds each run sends frames (default: ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--model", description = "ONNX model folder (default: fixtures/tiny-onnx)")
    Path model;

    @Option(names = "--dtype", defaultValue = "auto")
    String dtype;

    @Option(names = "--max-new-tokens", defaultValue = "16", description = "default: ${DEFAULT-VALUE}")
    int maxNewTokens;

    @Option(names = "--batch-size", defaultValue = "0", description = "batch.max.size (0: one frame per camera, as nvstreammux)")
    int batchSize;

    @Option(names = "--max-event-age-ms", description = "max.event.age.ms of the runs with the settings on (default: 3 x one batch)")
    Long maxEventAgeMs;

    @Option(names = "--threads", defaultValue = "0", description = "engine.intra.op.threads (0: the application's default)")
    int threads;

    @Option(names = "--loads", split = ",", defaultValue = "0.5,1,2",
            description = "runs after the first, as multiples of the measured capacity (default: ${DEFAULT-VALUE})")
    List<Double> loads;

    @Option(names = "--drain-timeout", defaultValue = "PT2M", description = "how long a run waits for the last answers (ISO-8601)")
    Duration drainTimeout;

    @Override
    public Integer call() throws InterruptedException {
        if (cameras < 1 || fps <= 0 || seconds < 1 || maxNewTokens < 1 || loads.isEmpty()
                || loads.stream().anyMatch(x -> x <= 0)) {
            throw new IllegalArgumentException("--cameras, --fps, --seconds, --max-new-tokens and --loads must be positive");
        }
        Path dir = model != null ? model : Path.of(System.getProperty("vlm.project.dir", ".")).resolve("fixtures/tiny-onnx");
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("model folder not found: " + dir);
        }
        return new CameraBench(new CameraBench.Options(dir, dtype, cameras, fps, seconds, maxNewTokens,
                batchSize > 0 ? batchSize : cameras, maxEventAgeMs, threads, drainTimeout, loads), System.out).run();
    }
}
