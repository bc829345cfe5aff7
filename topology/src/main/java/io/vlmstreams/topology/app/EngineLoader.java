package io.vlmstreams.topology.app;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import io.vlmstreams.inference.engine.EngineConfig;
import io.vlmstreams.inference.engine.InferenceEngine;
import io.vlmstreams.inference.engine.LocalInferenceEngine;
import io.vlmstreams.inference.engine.SwappableEngine;
import io.vlmstreams.inference.model.ModelFolder;
import io.vlmstreams.inference.onnx.ExecutionProvider;
import io.vlmstreams.inference.onnx.RuntimeConfig;
import io.vlmstreams.topology.config.ModelConfig;

/** Opens the one engine the application's stream threads share. */
public final class EngineLoader {

    private EngineLoader() {
    }

    /** A {@link LocalInferenceEngine} for the configured model folder, dtype, provider, memory budget and allocation settings. */
    public static InferenceEngine open(ModelConfig model) {
        return open(model, model.dir(), model.dtype());
    }

    /** As {@link #open(ModelConfig)}, on {@code folder}: the configured folder already read with the configured dtype. */
    public static InferenceEngine open(ModelConfig model, ModelFolder folder) {
        return LocalInferenceEngine.open(engineConfig(model, model.dir(), model.dtype()), folder);
    }

    /**
     * A {@link SwappableEngine} starting on {@code first}; each model it swaps to opens with the same
     * provider, threads and batch limits as the first.
     */
    public static SwappableEngine swappable(ModelConfig model, SwappableEngine.ModelChoice first) {
        return SwappableEngine.open(choice -> open(model, choice.dir(), choice.dtype()), first);
    }

    /**
     * As {@link #swappable(ModelConfig, SwappableEngine.ModelChoice)}, the first engine on {@code firstFolder}
     * ({@code first} already read); every swap reads its folder afresh.
     */
    public static SwappableEngine swappable(ModelConfig model, SwappableEngine.ModelChoice first, ModelFolder firstFolder) {
        // SwappableEngine.open loads `first` at once, so the read folder serves that one load and no swap
        AtomicReference<ModelFolder> unused = new AtomicReference<>(firstFolder);
        return SwappableEngine.open(choice -> {
            ModelFolder read = unused.getAndSet(null);
            return read != null
                    ? LocalInferenceEngine.open(engineConfig(model, choice.dir(), choice.dtype()), read)
                    : open(model, choice.dir(), choice.dtype());
        }, first);
    }

    private static InferenceEngine open(ModelConfig model, Path dir, String dtype) {
        return LocalInferenceEngine.open(engineConfig(model, dir, dtype));
    }

    private static EngineConfig engineConfig(ModelConfig model, Path dir, String dtype) {
        RuntimeConfig cpu = RuntimeConfig.cpu();
        RuntimeConfig runtime = new RuntimeConfig(ExecutionProvider.parse(model.provider()), model.deviceId(),
                model.intraOpThreads(), model.interOpThreads(), cpu.optimizationLevel(), model.cpuArena(), model.memoryPattern(),
                model.spinWait());
        return EngineConfig.defaults(dir).withDtype(dtype).withRuntime(runtime)
                .withMaxBatchSize(model.maxBatchSize()).withMaxBatchMemoryMb(model.maxBatchMemoryMb())
                .withCacheDir(model.cacheDir()).withImageCacheBytes(model.imageCacheBytes());
    }
}
