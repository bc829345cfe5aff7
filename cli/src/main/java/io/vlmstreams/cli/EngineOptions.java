package io.vlmstreams.cli;

import io.vlmstreams.inference.engine.EngineConfig;
import io.vlmstreams.inference.image.ImageLimits;
import io.vlmstreams.inference.onnx.ExecutionProvider;
import io.vlmstreams.inference.onnx.RuntimeConfig;
import io.vlmstreams.topology.config.ModelConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * Options shared by the commands that open a model: folder, dtype, provider, threads, memory
 * allocation. Their defaults are the application's ({@code model.*}, {@code engine.*} in
 * {@link io.vlmstreams.topology.config.Settings}), so {@code infer}, {@code bench} and {@code soak}
 * run the model as {@code run} does.
 */
public final class EngineOptions {

    /** The application's engine settings with nothing set; the fields below start from them. */
    static final ModelConfig APP_DEFAULTS = ModelConfig.defaults(Path.of("."));

    @Option(names = "--model", required = true, description = "ONNX model folder (config.json, tokenizer, onnx/)")
    Path model;

    @Option(names = "--dtype", description = "graph variant: auto, fp32, fp16, q8, q4, ... (default: ${DEFAULT-VALUE}: the folder's transformers.js_config.dtype, else fp32)")
    String dtype = APP_DEFAULTS.dtype();

    @Option(names = "--provider", description = "execution provider: auto, cpu, cuda, tensorrt (default: ${DEFAULT-VALUE})")
    String provider = APP_DEFAULTS.provider();

    @Option(names = "--device-id", description = "GPU ordinal for cuda / tensorrt (default: ${DEFAULT-VALUE})")
    int deviceId = APP_DEFAULTS.deviceId();

    @Option(names = "--threads",
            description = "ONNX Runtime intra-op threads (default: the cores the JVM sees, ${DEFAULT-VALUE}; 0: ORT's own choice)")
    int threads = APP_DEFAULTS.intraOpThreads();

    @Option(names = "--inter-op-threads", description = "ONNX Runtime inter-op threads (default: ${DEFAULT-VALUE}; 0: ORT's own choice)")
    int interOpThreads = APP_DEFAULTS.interOpThreads();

    @Option(names = "--spin-wait", negatable = true, fallbackValue = "true",
            description = "let ONNX Runtime's idle threads spin (default: ${DEFAULT-VALUE}); --no-spin-wait when the cores are shared")
    boolean spinWait = APP_DEFAULTS.spinWait();

    @Option(names = "--cpu-arena", negatable = true, fallbackValue = "true",
            description = "ONNX Runtime CPU memory arena: faster allocation, but RSS keeps the largest batch's peak (default: ${DEFAULT-VALUE})")
    boolean cpuArena = APP_DEFAULTS.cpuArena();

    @Option(names = "--memory-pattern", negatable = true, fallbackValue = "true",
            description = "ONNX Runtime memory pattern planning per input shape (default: ${DEFAULT-VALUE})")
    boolean memoryPattern = APP_DEFAULTS.memoryPattern();

    @Option(names = "--cache-dir", description = "where the batch self-check's verdict is kept across restarts; none: check at every start (default: ${DEFAULT-VALUE})")
    Path cacheDir = APP_DEFAULTS.cacheDir();

    EngineConfig config(int maxBatchSize) {
        RuntimeConfig runtime = new RuntimeConfig(ExecutionProvider.parse(provider), deviceId, threads, interOpThreads,
                RuntimeConfig.cpu().optimizationLevel(), cpuArena, memoryPattern, spinWait);
        // upstream (PIL) ignores EXIF orientation; the CLI reproduces upstream inputs
        return EngineConfig.defaults(model).withDtype(dtype).withRuntime(runtime).withMaxBatchSize(maxBatchSize)
                .withImageLimits(ImageLimits.defaults().withApplyExifOrientation(false))
                .withCacheDir(cacheDir == null || cacheDir.toString().equalsIgnoreCase("none") ? null : cacheDir);
    }
}
