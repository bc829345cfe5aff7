package io.vlmstreams.topology.config;

import java.nio.file.Path;

/**
 * Where the model is and how the engine runs it ({@code model.*}, {@code engine.*}).
 *
 * @param intraOpThreads ONNX Runtime threads inside one operator ({@code engine.intra.op.threads}); by default
 *                       the cores the JVM sees, so ORT never sizes its pool from the host's cores in a
 *                       CPU-limited container
 * @param interOpThreads ONNX Runtime threads across operators ({@code engine.inter.op.threads}); by default 1:
 *                       the graphs are sequential chains, a second pool would only contend with the first and
 *                       with the stream and preprocessing threads
 */
public record ModelConfig(Path dir, String dtype, String provider, int deviceId, int intraOpThreads, int interOpThreads) {

    static ModelConfig read(ConfigSource src) {
        Path dir = Path.of(src.required("model.dir"));
        String dtype = src.string("model.dtype", "fp32");
        String provider = src.string("engine.provider", "auto");
        if (!provider.matches("auto|cpu|cuda")) {
            throw new org.apache.kafka.common.config.ConfigException("engine.provider", provider, "must be auto, cpu or cuda");
        }
        int device = src.integer("engine.device.id", 0, 0, 64);
        int intra = src.integer("engine.intra.op.threads", Runtime.getRuntime().availableProcessors(), 0, 1024);
        int inter = src.integer("engine.inter.op.threads", 1, 0, 1024);
        return new ModelConfig(dir, dtype, provider, device, intra, inter);
    }
}
