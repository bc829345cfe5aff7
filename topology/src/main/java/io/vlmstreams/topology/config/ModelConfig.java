package io.vlmstreams.topology.config;

import java.nio.file.Path;
import java.util.Set;

/**
 * Where the model is and how the engine runs it ({@code model.*}, {@code engine.*}).
 *
 * @param maxBatchMemoryMb     {@code engine.max.batch.memory.mb}: working-memory budget of one model
 *                             batch; larger batches are split before they run (0: no budget)
 * @param faultInjectEventIds  {@code engine.fault.inject.event-ids}, for tests only: model batches
 *                             holding one of these events fail as if the model had thrown
 * @param intraOpThreads       {@code engine.intra.op.threads}: ONNX Runtime threads inside one operator; by
 *                             default the cores the JVM sees, so ORT never sizes its pool from the host's
 *                             cores in a CPU-limited container
 * @param interOpThreads       {@code engine.inter.op.threads}: ONNX Runtime threads across operators; by
 *                             default 1: the graphs are sequential chains, a second pool would only contend
 *                             with the first and with the stream and preprocessing threads
 * @param spinWait             {@code engine.spin.wait}: ORT's idle threads spin (true, its default) or sleep;
 *                             false helps where the cores are shared with Kafka's threads and other processes
 */
public record ModelConfig(Path dir, String dtype, String provider, int deviceId, int maxBatchMemoryMb,
                          Set<String> faultInjectEventIds, int intraOpThreads, int interOpThreads, boolean spinWait) {

    public ModelConfig {
        faultInjectEventIds = Set.copyOf(faultInjectEventIds);
    }

    /** A config without memory budget and fault injection, with the default ORT threads. */
    public ModelConfig(Path dir, String dtype, String provider, int deviceId) {
        this(dir, dtype, provider, deviceId, 0, Set.of(), Runtime.getRuntime().availableProcessors(), 1, true);
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
        int intra = src.integer("engine.intra.op.threads", Runtime.getRuntime().availableProcessors(), 0, 1024);
        int inter = src.integer("engine.inter.op.threads", 1, 0, 1024);
        return new ModelConfig(dir, dtype, provider, device, memory, Set.copyOf(src.list("engine.fault.inject.event-ids")),
                intra, inter, src.bool("engine.spin.wait", true));
    }
}
