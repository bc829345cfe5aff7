package io.vlmstreams.topology.config;

import java.nio.file.Path;

/** Where the model is and how the engine runs it ({@code model.*}, {@code engine.*}). */
public record ModelConfig(Path dir, String dtype, String provider, int deviceId) {

    static ModelConfig read(ConfigSource src) {
        Path dir = Path.of(src.required("model.dir"));
        String dtype = src.string("model.dtype", "fp32");
        String provider = src.string("engine.provider", "auto");
        if (!provider.matches("auto|cpu|cuda")) {
            throw new org.apache.kafka.common.config.ConfigException("engine.provider", provider, "must be auto, cpu or cuda");
        }
        int device = src.integer("engine.device.id", 0, 0, 64);
        return new ModelConfig(dir, dtype, provider, device);
    }
}
