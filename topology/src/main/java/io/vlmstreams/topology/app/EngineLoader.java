package io.vlmstreams.topology.app;

import io.vlmstreams.inference.engine.EngineConfig;
import io.vlmstreams.inference.engine.InferenceEngine;
import io.vlmstreams.inference.engine.LocalInferenceEngine;
import io.vlmstreams.inference.onnx.ExecutionProvider;
import io.vlmstreams.inference.onnx.RuntimeConfig;
import io.vlmstreams.topology.config.ModelConfig;

/** Opens the one engine the application's stream threads share. */
public final class EngineLoader {

    private EngineLoader() {
    }

    /** A {@link LocalInferenceEngine} for the configured model folder, dtype, provider, memory budget and allocation settings. */
    public static InferenceEngine open(ModelConfig model) {
        RuntimeConfig cpu = RuntimeConfig.cpu();
        RuntimeConfig runtime = new RuntimeConfig(ExecutionProvider.parse(model.provider()), model.deviceId(),
                model.intraOpThreads(), model.interOpThreads(), cpu.optimizationLevel(), model.cpuArena(), model.memoryPattern(),
                model.spinWait());
        return LocalInferenceEngine.open(EngineConfig.defaults(model.dir()).withDtype(model.dtype()).withRuntime(runtime)
                .withMaxBatchSize(model.maxBatchSize()).withMaxBatchMemoryMb(model.maxBatchMemoryMb())
                .withImageCacheBytes(model.imageCacheBytes()));
    }
}
