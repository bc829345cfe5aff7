package io.vlmstreams.inference.engine;

import io.vlmstreams.inference.image.ImageLimits;
import io.vlmstreams.inference.onnx.RuntimeConfig;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;

/**
 * How a {@link LocalInferenceEngine} is built and batches. Its model batches follow
 * {@link BatchPolicy#model}({@code maxBatchSize}, {@code maxBatchMemoryMb}); how many requests one
 * call brings (and their image tokens) is the caller's batch, bounded where the caller cuts it.
 *
 * @param modelDir            the ONNX model folder
 * @param dtype               graph variant, e.g. {@code fp32}, {@code q4}, {@code fp16}
 * @param runtime             ONNX Runtime provider and threads
 * @param maxBatchSize        most requests the model holds at once: one model batch, and the running
 *                            decode batch with a batch boarding it ({@code engine.max.batch.size})
 * @param imageLimits         bounds checked before decoding
 * @param preprocessThreads   threads decoding and preprocessing images ahead of the model
 * @param maxEncoderTiles     most tiles in one vision-encoder call
 * @param maxBatchMemoryMb    working-memory budget of the requests the model holds at once, in MB
 *                            ({@link BatchMemoryEstimator}; {@code engine.max.batch.memory.mb}): a call's
 *                            requests are cut into model batches that fit it, a batch waits to board the
 *                            decode batch until it fits beside it, a request over it alone is refused;
 *                            0 means no budget
 * @param faultInjectRequestIds test-only: a model batch holding one of these request ids fails as if
 *                            ONNX Runtime had thrown; empty (the default) injects nothing
 * @param imageCacheBytes     most bytes of vision features kept for images seen before
 *                            ({@code engine.image.cache.bytes}, {@link ImageFeatureCache}); 0 is off
 * @param cacheDir            where the batch self-check's verdict for a folder is kept across restarts
 *                            ({@link SelfCheckCache}); null: nowhere, every start checks again
 */
public record EngineConfig(
        Path modelDir,
        String dtype,
        RuntimeConfig runtime,
        int maxBatchSize,
        ImageLimits imageLimits,
        int preprocessThreads,
        int maxEncoderTiles,
        int maxBatchMemoryMb,
        Set<String> faultInjectRequestIds,
        long imageCacheBytes,
        Path cacheDir) {

    /** This config with an image-feature cache of {@code bytes} (0: off). */
    public EngineConfig withImageCacheBytes(long bytes) {
        return new EngineConfig(modelDir, dtype, runtime, maxBatchSize, imageLimits, preprocessThreads, maxEncoderTiles,
                maxBatchMemoryMb, faultInjectRequestIds, bytes, cacheDir);
    }

    public EngineConfig {
        Objects.requireNonNull(modelDir, "modelDir");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(imageLimits, "imageLimits");
        if (maxBatchSize < 1 || preprocessThreads < 1 || maxEncoderTiles < 1) {
            throw new IllegalArgumentException("batch sizes and threads must be positive");
        }
        if (maxBatchMemoryMb < 0) {
            throw new IllegalArgumentException("maxBatchMemoryMb must be >= 0 (0: no budget), got " + maxBatchMemoryMb);
        }
        faultInjectRequestIds = Set.copyOf(faultInjectRequestIds);
        if (imageCacheBytes < 0) {
            throw new IllegalArgumentException("imageCacheBytes must be >= 0 (0: off), got " + imageCacheBytes);
        }
    }

    /** The folder's own dtype (auto), on CPU, up to 8 requests at once without a memory budget, 2 preprocessing threads, 64 tiles per encoder call. */
    public static EngineConfig defaults(Path modelDir) {
        return new EngineConfig(modelDir, "auto", RuntimeConfig.cpu(), 8, ImageLimits.defaults(), 2, 64, 0, Set.of(), 0, null);
    }

    /** The policy that cuts and admits this engine's model batches. */
    public BatchPolicy batchPolicy() {
        return BatchPolicy.model(maxBatchSize, maxBatchMemoryMb);
    }

    /** This config with a working-memory budget (0: none). */
    public EngineConfig withMaxBatchMemoryMb(int mb) {
        return new EngineConfig(modelDir, dtype, runtime, maxBatchSize, imageLimits, preprocessThreads, maxEncoderTiles,
                mb, faultInjectRequestIds, imageCacheBytes, cacheDir);
    }

    /** Test-only: this config with model batches failing whenever they hold one of {@code requestIds}. */
    public EngineConfig withFaultInjection(Set<String> requestIds) {
        return new EngineConfig(modelDir, dtype, runtime, maxBatchSize, imageLimits, preprocessThreads, maxEncoderTiles,
                maxBatchMemoryMb, requestIds, imageCacheBytes, cacheDir);
    }

    public EngineConfig withRuntime(RuntimeConfig r) {
        return new EngineConfig(modelDir, dtype, r, maxBatchSize, imageLimits, preprocessThreads, maxEncoderTiles,
                maxBatchMemoryMb, faultInjectRequestIds, imageCacheBytes, cacheDir);
    }

    public EngineConfig withMaxBatchSize(int n) {
        return new EngineConfig(modelDir, dtype, runtime, n, imageLimits, preprocessThreads, maxEncoderTiles,
                maxBatchMemoryMb, faultInjectRequestIds, imageCacheBytes, cacheDir);
    }

    public EngineConfig withDtype(String d) {
        return new EngineConfig(modelDir, d, runtime, maxBatchSize, imageLimits, preprocessThreads, maxEncoderTiles,
                maxBatchMemoryMb, faultInjectRequestIds, imageCacheBytes, cacheDir);
    }

    public EngineConfig withImageLimits(ImageLimits limits) {
        return new EngineConfig(modelDir, dtype, runtime, maxBatchSize, limits, preprocessThreads, maxEncoderTiles,
                maxBatchMemoryMb, faultInjectRequestIds, imageCacheBytes, cacheDir);
    }

    /**
     * This config keeping what the engine learns about a folder across restarts (the batch
     * self-check's verdict) under {@code dir}; null keeps nothing.
     */
    public EngineConfig withCacheDir(Path dir) {
        return new EngineConfig(modelDir, dtype, runtime, maxBatchSize, imageLimits, preprocessThreads, maxEncoderTiles,
                maxBatchMemoryMb, faultInjectRequestIds, imageCacheBytes, dir);
    }
}
