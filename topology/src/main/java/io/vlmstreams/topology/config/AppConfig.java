package io.vlmstreams.topology.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.common.config.ConfigException;

/**
 * The whole application's configuration, read once at start and validated. vlm-streams' own keys
 * become typed fields; Kafka settings (Streams, clients, security, SASL, SSL) pass through to every
 * Kafka client, and {@code schema.registry.*} / {@code basic.auth.*} go to the registry client.
 * {@link #toString()} hides secrets.
 */
public record AppConfig(
        String applicationId,
        String bootstrapServers,
        String registryUrl,
        ModelConfig model,
        String deadLetterTopic,
        int deadLetterMaxValueBytes,
        int changelogMaxMessageBytes,
        Duration shutdownTimeout,
        int metricsPort,
        List<PipelineConfig> pipelines,
        FetchConfig fetch,
        Map<String, String> kafkaSettings,
        Map<String, String> registrySettings) {

    public AppConfig {
        pipelines = List.copyOf(pipelines);
        kafkaSettings = Map.copyOf(kafkaSettings);
        registrySettings = Map.copyOf(registrySettings);
    }

    /** Reads a properties file with environment overrides. */
    public static AppConfig load(Path file, Map<String, String> env) {
        return from(ConfigSource.load(file, env));
    }

    /** Validates and types {@code src}; every error names its key. */
    public static AppConfig from(ConfigSource src) {
        String appId = src.string("application.id", "vlm-streams");
        String bootstrap = src.required("bootstrap.servers");
        String registry = src.required("schema.registry.url");
        ModelConfig model = ModelConfig.read(src);
        BatchConfig batchDefaults = BatchConfig.read(src, "",
                new BatchConfig(8, 8192, Duration.ofMillis(100), 256));
        List<String> names = src.list("pipelines");
        if (names.isEmpty()) {
            throw new ConfigException("pipelines", null, "is required: a comma-separated list of pipeline names");
        }
        if (new HashSet<>(names).size() != names.size()) {
            throw new ConfigException("pipelines", src.required("pipelines"), "names a pipeline twice");
        }
        List<PipelineConfig> pipelines = names.stream().map(n -> PipelineConfig.read(src, n, batchDefaults)).toList();
        checkTopics(pipelines);
        String deadLetters = src.string("dead.letter.topic", appId + ".dead-letters");
        Map<String, String> kafka = new LinkedHashMap<>();
        Map<String, String> registrySettings = new LinkedHashMap<>();
        src.asMap().forEach((k, v) -> {
            if (KnownKeys.isRegistry(k)) {
                registrySettings.put(k, v);
            } else if (!KnownKeys.isOwn(k)) {
                kafka.put(k, v);
            }
        });
        // Registry credentials may also arrive as basic.auth.* (Confluent's names); both go to the client.
        return new AppConfig(appId, bootstrap, registry, model, deadLetters,
                src.integer("dead.letter.max.value.bytes", 64 * 1024, 0, 64 << 20),
                src.integer("store.changelog.max.message.bytes", 16 << 20, 1 << 20, Integer.MAX_VALUE),
                Duration.ofMillis(src.longValue("shutdown.timeout.ms", 30_000, 1, 600_000)),
                src.integer("metrics.port", 9404, 0, 65_535),
                pipelines, FetchConfig.read(src), kafka, registrySettings);
    }

    private static void checkTopics(List<PipelineConfig> pipelines) {
        Set<String> inputs = new HashSet<>();
        for (PipelineConfig p : pipelines) {
            for (String t : p.inputTopics()) {
                if (!inputs.add(t)) {
                    throw new ConfigException("pipeline." + p.name() + ".input.topics", t,
                            "topic is already the input of another pipeline");
                }
            }
        }
    }

    /** Settings for a registry client or Avro serde. */
    public Map<String, Object> serdeConfigs() {
        Map<String, Object> m = new LinkedHashMap<>(registrySettings);
        m.put("schema.registry.url", registryUrl);
        return m;
    }

    @Override
    public String toString() {
        return "AppConfig[applicationId=" + applicationId + ", bootstrapServers=" + bootstrapServers
                + ", registryUrl=" + registryUrl + ", model=" + model + ", deadLetterTopic=" + deadLetterTopic
                + ", pipelines=" + pipelines + ", fetch=" + fetch
                + ", kafkaSettings=" + Redaction.redact(kafkaSettings)
                + ", registrySettings=" + Redaction.redact(registrySettings) + "]";
    }
}
