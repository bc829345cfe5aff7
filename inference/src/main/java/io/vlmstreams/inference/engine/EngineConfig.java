package io.vlmstreams.inference.engine;

import io.vlmstreams.inference.image.ImageLimits;
import io.vlmstreams.inference.onnx.RuntimeConfig;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How a {@link LocalInferenceEngine} is built and batches.
 *
 * @param modelDir            the ONNX model folder
 * @param dtype               graph variant, e.g. {@code fp32}, {@code q4}, {@code fp16}
 * @param runtime             ONNX Runtime provider and threads
 * @param maxBatchSize        most requests in one model batch
 * @param maxBatchImageTokens most image tokens in one model batch (a larger single request still runs alone)
 * @param imageLimits         bounds checked before decoding
 * @param preprocessThreads   threads decoding and preprocessing images ahead of the model
 * @param batchWaitMillis     how long the submit worker waits for more requests to fill a batch
 * @param maxEncoderTiles     most tiles in one vision-encoder call
 * @param maxBatchMemoryMb    working-memory budget of one model batch in MB ({@link BatchMemoryEstimator});
 *                            a batch estimated above it is split before it runs; 0 means no budget
 * @param faultInjectRequestIds test-only: a model batch holding one of these request ids fails as if
 *                            ONNX Runtime had thrown; empty (the default) injects nothing
 */
public record EngineConfig(
        Path modelDir,
        String dtype,
        RuntimeConfig runtime,
        int maxBatchSize,
        int maxBatchImageTokens,
        ImageLimits imageLimits,
        int preprocessThreads,
        long batchWaitMillis,
        int maxEncoderTiles,
        int maxBatchMemoryMb,
        java.util.Set<String> faultInjectRequestIds) {

    /** A config without a memory budget and without fault injection. */
    public EngineConfig(Path modelDir, String dtype, RuntimeConfig runtime, int maxBatchSize, int maxBatchImageTokens,
                        ImageLimits imageLimits, int preprocessThreads, long batchWaitMillis, int maxEncoderTiles) {
        this(modelDir, dtype, runtime, maxBatchSize, maxBatchImageTokens, imageLimits, preprocessThreads, batchWaitMillis,
                maxEncoderTiles, 0, java.util.Set.of());
    }

    public EngineConfig {
        Objects.requireNonNull(modelDir, "modelDir");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(imageLimits, "imageLimits");
        if (maxBatchSize < 1 || maxBatchImageTokens < 1 || preprocessThreads < 1 || batchWaitMillis < 0 || maxEncoderTiles < 1) {
            throw new IllegalArgumentException("batch sizes, budgets and threads must be positive");
        }
        if (maxBatchMemoryMb < 0) {
            throw new IllegalArgumentException("maxBatchMemoryMb must be >= 0 (0: no budget), got " + maxBatchMemoryMb);
        }
        faultInjectRequestIds = java.util.Set.copyOf(faultInjectRequestIds);
    }

    /** fp32 on CPU, batches of up to 8 requests and 8192 image tokens, 2 preprocessing threads, 5 ms batching window. */
    public static EngineConfig defaults(Path modelDir) {
        return new EngineConfig(modelDir, "fp32", RuntimeConfig.cpu(), 8, 8192, ImageLimits.defaults(), 2, 5, 64);
    }

    /** This config with a working-memory budget per model batch (0: none). */
    public EngineConfig withMaxBatchMemoryMb(int mb) {
        return new EngineConfig(modelDir, dtype, runtime, maxBatchSize, maxBatchImageTokens, imageLimits, preprocessThreads,
                batchWaitMillis, maxEncoderTiles, mb, faultInjectRequestIds);
    }

    /** Test-only: this config with model batches failing whenever they hold one of {@code requestIds}. */
    public EngineConfig withFaultInjection(java.util.Set<String> requestIds) {
        return new EngineConfig(modelDir, dtype, runtime, maxBatchSize, maxBatchImageTokens, imageLimits, preprocessThreads,
                batchWaitMillis, maxEncoderTiles, maxBatchMemoryMb, requestIds);
    }

    public EngineConfig withRuntime(RuntimeConfig r) {
        return new EngineConfig(modelDir, dtype, r, maxBatchSize, maxBatchImageTokens, imageLimits, preprocessThreads, batchWaitMillis, maxEncoderTiles,
                maxBatchMemoryMb, faultInjectRequestIds);
    }

    public EngineConfig withMaxBatchSize(int n) {
        return new EngineConfig(modelDir, dtype, runtime, n, maxBatchImageTokens, imageLimits, preprocessThreads, batchWaitMillis, maxEncoderTiles,
                maxBatchMemoryMb, faultInjectRequestIds);
    }

    public EngineConfig withDtype(String d) {
        return new EngineConfig(modelDir, d, runtime, maxBatchSize, maxBatchImageTokens, imageLimits, preprocessThreads, batchWaitMillis, maxEncoderTiles,
                maxBatchMemoryMb, faultInjectRequestIds);
    }

    public EngineConfig withImageLimits(ImageLimits limits) {
        return new EngineConfig(modelDir, dtype, runtime, maxBatchSize, maxBatchImageTokens, limits, preprocessThreads, batchWaitMillis, maxEncoderTiles,
                maxBatchMemoryMb, faultInjectRequestIds);
    }
}
