package io.vlmstreams.inference.onnx;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;

import java.util.Objects;

/**
 * How ONNX Runtime sessions are created.
 *
 * @param provider          execution provider to ask for
 * @param deviceId          GPU ordinal for CUDA / TensorRT
 * @param intraOpThreads    threads inside one operator; 0 lets ONNX Runtime choose
 * @param interOpThreads    threads across operators; 0 lets ONNX Runtime choose
 * @param optimizationLevel graph optimizations applied when a session is created
 * @param cpuArena          whether CPU tensors come from ONNX Runtime's arena. The arena never returns
 *                          memory to the system: it keeps the largest run's peak (extended in powers of
 *                          two), which for the vision encoder is the attention scores of the biggest
 *                          call (tiles x heads x patches^2), so RSS stays at that peak for the life of
 *                          the process. Off, every intermediate is malloc'ed and freed, and RSS falls
 *                          back after a large batch.
 * @param memoryPattern     whether ONNX Runtime plans one block per input shape for a run's
 *                          intermediates; with the arena on, that block is taken from the arena on top
 *                          of the per-tensor allocations, which roughly doubles the retained peak
 * @param spinWait          whether ORT's idle pool threads spin between operators (its default) or
 *                          sleep; measured on 2 shared cores, sleeping costs ~2x (docs/performance.md),
 *                          so spinning stays the default
 */
public record RuntimeConfig(ExecutionProvider provider, int deviceId, int intraOpThreads, int interOpThreads,
                            OptLevel optimizationLevel, boolean cpuArena, boolean memoryPattern, boolean spinWait) {

    /**
     * Defaults chosen by measurement: the arena stays on (without it every large intermediate is a
     * fresh mmap whose pages fault in on each run, 3-4x slower vision encoding), and the engine
     * bounds the largest run instead; memory patterns are off (no measurable speed-up, +1.3 GB kept).
     */
    public static final boolean DEFAULT_CPU_ARENA = true;
    public static final boolean DEFAULT_MEMORY_PATTERN = false;

    public RuntimeConfig {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(optimizationLevel, "optimizationLevel");
        if (deviceId < 0 || intraOpThreads < 0 || interOpThreads < 0) {
            throw new IllegalArgumentException("deviceId and thread counts must be >= 0");
        }
    }

    /** A config with ORT's default spin-waiting. */
    public RuntimeConfig(ExecutionProvider provider, int deviceId, int intraOpThreads, int interOpThreads,
                         OptLevel optimizationLevel, boolean cpuArena, boolean memoryPattern) {
        this(provider, deviceId, intraOpThreads, interOpThreads, optimizationLevel, cpuArena, memoryPattern, true);
    }

    /** A config with the default memory settings. */
    public RuntimeConfig(ExecutionProvider provider, int deviceId, int intraOpThreads, int interOpThreads,
                         OptLevel optimizationLevel) {
        this(provider, deviceId, intraOpThreads, interOpThreads, optimizationLevel, DEFAULT_CPU_ARENA, DEFAULT_MEMORY_PATTERN);
    }

    /** CPU, ONNX Runtime's own thread counts, all graph optimizations. */
    public static RuntimeConfig cpu() {
        return new RuntimeConfig(ExecutionProvider.CPU, 0, 0, 0, OptLevel.ALL_OPT);
    }

    /** The given provider on device 0 with default threads and all optimizations. */
    public static RuntimeConfig of(ExecutionProvider provider) {
        return new RuntimeConfig(provider, 0, 0, 0, OptLevel.ALL_OPT);
    }

    public RuntimeConfig withProvider(ExecutionProvider p) {
        return new RuntimeConfig(p, deviceId, intraOpThreads, interOpThreads, optimizationLevel, cpuArena, memoryPattern, spinWait);
    }

    public RuntimeConfig withIntraOpThreads(int threads) {
        return new RuntimeConfig(provider, deviceId, threads, interOpThreads, optimizationLevel, cpuArena, memoryPattern, spinWait);
    }

    /** This config with the given CPU arena and memory pattern settings. */
    public RuntimeConfig withMemory(boolean arena, boolean pattern) {
        return new RuntimeConfig(provider, deviceId, intraOpThreads, interOpThreads, optimizationLevel, arena, pattern, spinWait);
    }

    public RuntimeConfig withInterOpThreads(int threads) {
        return new RuntimeConfig(provider, deviceId, intraOpThreads, threads, optimizationLevel, cpuArena, memoryPattern, spinWait);
    }

    public RuntimeConfig withSpinWait(boolean spin) {
        return new RuntimeConfig(provider, deviceId, intraOpThreads, interOpThreads, optimizationLevel, cpuArena, memoryPattern, spin);
    }
}
