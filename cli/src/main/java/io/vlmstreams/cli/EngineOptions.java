package io.vlmstreams.cli;

import io.vlmstreams.inference.engine.EngineConfig;
import io.vlmstreams.inference.image.ImageLimits;
import io.vlmstreams.inference.onnx.ExecutionProvider;
import io.vlmstreams.inference.onnx.RuntimeConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Options shared by the commands that open a model: folder, dtype, provider, threads, memory allocation. */
public final class EngineOptions {

    @Option(names = "--model", required = true, description = "ONNX model folder (config.json, tokenizer, onnx/)")
    Path model;

    @Option(names = "--dtype", defaultValue = "auto", description = "graph variant: fp32, fp16, q8, q4, ... (default: ${DEFAULT-VALUE}: the folder's transformers.js_config.dtype, else fp32)")
    String dtype;

    @Option(names = "--provider", defaultValue = "cpu", description = "execution provider: cpu, cuda, tensorrt, auto (default: ${DEFAULT-VALUE})")
    String provider;

    @Option(names = "--device-id", defaultValue = "0", description = "GPU ordinal for cuda / tensorrt")
    int deviceId;

    @Option(names = "--threads", defaultValue = "0", description = "ONNX Runtime intra-op threads (0: its default)")
    int threads;

    @Option(names = "--inter-op-threads", defaultValue = "0", description = "ONNX Runtime inter-op threads (0: its default)")
    int interOpThreads;

    @Option(names = "--spin-wait", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "let ONNX Runtime's idle threads spin (its default); --no-spin-wait when the cores are shared")
    boolean spinWait;

    @Option(names = "--cpu-arena", negatable = true, defaultValue = "" + RuntimeConfig.DEFAULT_CPU_ARENA, fallbackValue = "true",
            description = "ONNX Runtime CPU memory arena: faster allocation, but RSS keeps the largest batch's peak (default: ${DEFAULT-VALUE})")
    boolean cpuArena;

    @Option(names = "--memory-pattern", negatable = true, defaultValue = "" + RuntimeConfig.DEFAULT_MEMORY_PATTERN, fallbackValue = "true",
            description = "ONNX Runtime memory pattern planning per input shape (default: ${DEFAULT-VALUE})")
    boolean memoryPattern;

    EngineConfig config(int maxBatchSize) {
        RuntimeConfig runtime = RuntimeConfig.of(ExecutionProvider.parse(provider)).withIntraOpThreads(threads);
        runtime = new RuntimeConfig(runtime.provider(), deviceId, runtime.intraOpThreads(), runtime.interOpThreads(),
                runtime.optimizationLevel(), cpuArena, memoryPattern, spinWait).withInterOpThreads(interOpThreads);
        // upstream (PIL) ignores EXIF orientation; the CLI reproduces upstream inputs
        return EngineConfig.defaults(model).withDtype(dtype).withRuntime(runtime).withMaxBatchSize(maxBatchSize)
                .withImageLimits(ImageLimits.defaults().withApplyExifOrientation(false));
    }
}
