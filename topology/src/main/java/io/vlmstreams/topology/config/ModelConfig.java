package io.vlmstreams.topology.config;

import java.nio.file.Path;
import java.util.Set;

import io.vlmstreams.inference.onnx.RuntimeConfig;

/**
 * Where the model is and how the engine runs it ({@code model.*}, {@code engine.*}).
 *
 * @param maxBatchMemoryMb     {@code engine.max.batch.memory.mb}: working-memory budget of one model
 *                             batch; larger batches are split before they run (0: no budget)
 * @param faultInjectEventIds  {@code engine.fault.inject.event-ids}, for tests only: model batches
 *                             holding one of these events fail as if the model had thrown
 * @param cpuArena             {@code engine.cpu.arena}: ONNX Runtime's CPU memory arena (default on;
 *                             off trades 3-4x slower vision encoding for RSS that falls after a peak)
 * @param memoryPattern        {@code engine.memory.pattern}: ONNX Runtime memory pattern planning
 *                             (default off: it keeps an extra block per input shape in the arena)
 * @param intraOpThreads       {@code engine.intra.op.threads}: ONNX Runtime threads inside one operator; by
 *                             default the cores the JVM sees, so ORT never sizes its pool from the host's
 *                             cores in a CPU-limited container
 * @param interOpThreads       {@code engine.inter.op.threads}: ONNX Runtime threads across operators; by
 *                             default 1: the graphs are sequential chains, a second pool would only contend
 *                             with the first and with the stream and preprocessing threads
 * @param spinWait             {@code engine.spin.wait}: ORT's idle threads spin (true, its default) or sleep
 * @param maxBatchSize         {@code engine.max.batch.size}: most sequences the model works on at once, the
 *                             running decode batch included, whichever pipelines and stream threads they come from
 */
public record ModelConfig(Path dir, String dtype, String provider, int deviceId, int maxBatchMemoryMb,
                          Set<String> faultInjectEventIds, boolean cpuArena, boolean memoryPattern,
                          int intraOpThreads, int interOpThreads, boolean spinWait, int maxBatchSize) {

    /** Default inter-op threads: one. */
    public static final int DEFAULT_INTER_OP_THREADS = 1;

    /** Default sequences decoding together. */
    public static final int DEFAULT_MAX_BATCH_SIZE = 8;

    public ModelConfig {
        faultInjectEventIds = Set.copyOf(faultInjectEventIds);
    }

    /** A config with the default engine batch size. */
    public ModelConfig(Path dir, String dtype, String provider, int deviceId, int maxBatchMemoryMb,
                       Set<String> faultInjectEventIds, boolean cpuArena, boolean memoryPattern,
                       int intraOpThreads, int interOpThreads, boolean spinWait) {
        this(dir, dtype, provider, deviceId, maxBatchMemoryMb, faultInjectEventIds, cpuArena, memoryPattern,
                intraOpThreads, interOpThreads, spinWait, DEFAULT_MAX_BATCH_SIZE);
    }

    /** A config with the default thread settings. */
    public ModelConfig(Path dir, String dtype, String provider, int deviceId, int maxBatchMemoryMb,
                       Set<String> faultInjectEventIds, boolean cpuArena, boolean memoryPattern) {
        this(dir, dtype, provider, deviceId, maxBatchMemoryMb, faultInjectEventIds, cpuArena, memoryPattern,
                defaultIntraOpThreads(), DEFAULT_INTER_OP_THREADS, true);
    }

    /** A config with the default memory allocation and thread settings. */
    public ModelConfig(Path dir, String dtype, String provider, int deviceId, int maxBatchMemoryMb,
                       Set<String> faultInjectEventIds) {
        this(dir, dtype, provider, deviceId, maxBatchMemoryMb, faultInjectEventIds,
                RuntimeConfig.DEFAULT_CPU_ARENA, RuntimeConfig.DEFAULT_MEMORY_PATTERN);
    }

    /** A config without memory budget and fault injection. */
    public ModelConfig(Path dir, String dtype, String provider, int deviceId) {
        this(dir, dtype, provider, deviceId, 0, Set.of());
    }

    /** The cores the JVM sees (its container limit included). */
    public static int defaultIntraOpThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    static ModelConfig read(ConfigSource src) {
        Path dir = Path.of(src.required("model.dir"));
        String dtype = src.string("model.dtype", "fp32");
        String provider = src.string("engine.provider", "auto");
        if (!provider.matches("auto|cpu|cuda")) {
            throw new org.apache.kafka.common.config.ConfigException("engine.provider", provider, "must be auto, cpu or cuda");
        }
        int device = src.integer("engine.device.id", 0, 0, 64);
        int memory = src.integer("engine.max.batch.memory.mb", 0, 0, 1 << 24);
        boolean arena = src.bool("engine.cpu.arena", RuntimeConfig.DEFAULT_CPU_ARENA);
        boolean pattern = src.bool("engine.memory.pattern", RuntimeConfig.DEFAULT_MEMORY_PATTERN);
        int intra = src.integer("engine.intra.op.threads", defaultIntraOpThreads(), 0, 1024);
        int inter = src.integer("engine.inter.op.threads", DEFAULT_INTER_OP_THREADS, 0, 1024);
        boolean spin = src.bool("engine.spin.wait", true);
        int batch = src.integer("engine.max.batch.size", DEFAULT_MAX_BATCH_SIZE, 1, 4096);
        return new ModelConfig(dir, dtype, provider, device, memory, Set.copyOf(src.list("engine.fault.inject.event-ids")),
                arena, pattern, intra, inter, spin, batch);
    }
}
