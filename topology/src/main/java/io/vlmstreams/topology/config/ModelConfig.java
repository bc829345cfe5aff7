package io.vlmstreams.topology.config;

import io.vlmstreams.inference.onnx.RuntimeConfig;

import java.nio.file.Path;
import java.util.Set;

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
 */
public record ModelConfig(Path dir, String dtype, String provider, int deviceId, int maxBatchMemoryMb,
                          Set<String> faultInjectEventIds, boolean cpuArena, boolean memoryPattern) {

    public ModelConfig {
        faultInjectEventIds = Set.copyOf(faultInjectEventIds);
    }

    /** A config with the default memory allocation settings. */
    public ModelConfig(Path dir, String dtype, String provider, int deviceId, int maxBatchMemoryMb,
                       Set<String> faultInjectEventIds) {
        this(dir, dtype, provider, deviceId, maxBatchMemoryMb, faultInjectEventIds,
                RuntimeConfig.DEFAULT_CPU_ARENA, RuntimeConfig.DEFAULT_MEMORY_PATTERN);
    }

    /** A config without memory budget and fault injection. */
    public ModelConfig(Path dir, String dtype, String provider, int deviceId) {
        this(dir, dtype, provider, deviceId, 0, Set.of());
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
        return new ModelConfig(dir, dtype, provider, device, memory, Set.copyOf(src.list("engine.fault.inject.event-ids")),
                arena, pattern);
    }
}
