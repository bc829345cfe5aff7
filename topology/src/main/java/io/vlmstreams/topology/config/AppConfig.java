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
 * ({@link Settings}) become typed fields; Kafka settings (Streams, clients, security, SASL, SSL) pass
 * through to every Kafka client, and the registry client's keys ({@code schema.registry.*},
 * {@code basic.auth.*}, its timeouts and the serdes' options) go to the registry client and serdes.
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
        Map<String, String> registrySettings,
        UiConfig ui,
        AdminConfig admin,
        Duration startupCheckTimeout,
        Duration healthCheckInterval,
        List<Duration> latencySlos) {

    public AppConfig {
        latencySlos = List.copyOf(latencySlos);
        pipelines = List.copyOf(pipelines);
        kafkaSettings = Map.copyOf(kafkaSettings);
        registrySettings = Map.copyOf(registrySettings);
    }

    /** Reads a properties file with environment overrides. */
    public static AppConfig load(Path file, Map<String, String> env) {
        return from(ConfigSource.load(file, env));
    }

    /**
     * Validates and types {@code src} once, by {@link Settings}' definitions; every error names its key.
     * A key that nobody reads stops it ({@link UnknownSettings}), with the nearest known key.
     */
    public static AppConfig from(ConfigSource src) {
        UnknownSettings.check(src.asMap());
        Map<String, String> given = src.nonBlank();
        SettingValues app = SettingValues.parse(Settings.APP, given, "");
        List<PipelineConfig> pipelines = app.list(Settings.PIPELINES).stream()
                .map(name -> PipelineConfig.read(name, given, app)).toList();
        checkTopics(pipelines);
        String appId = app.string(Settings.APPLICATION_ID);
        String deadLetters = app.string(Settings.DEAD_LETTER_TOPIC);
        Map<String, String> kafka = new LinkedHashMap<>();
        Map<String, String> registrySettings = new LinkedHashMap<>();
        src.asMap().forEach((k, v) -> {
            if (RegistryKeys.NAMES.contains(k)) {
                registrySettings.put(k, v);
            } else if (!Settings.APP.names().contains(k) && !k.startsWith(Settings.PIPELINE_PREFIX)) {
                kafka.put(k, v);
            }
        });
        // Kafka's own keys that vlm-streams also defaults: Kafka gets the value in force.
        Settings.PASSED_TO_KAFKA.forEach(k -> kafka.put(k, app.string(k)));
        return new AppConfig(appId, app.string(Settings.BOOTSTRAP_SERVERS), app.string(Settings.SCHEMA_REGISTRY_URL),
                ModelConfig.read(app), deadLetters != null ? deadLetters : appId + ".dead-letters",
                app.integer(Settings.DEAD_LETTER_MAX_VALUE_BYTES), app.integer(Settings.STORE_CHANGELOG_MAX_MESSAGE_BYTES),
                Duration.ofMillis(app.longValue(Settings.SHUTDOWN_TIMEOUT_MS)), app.integer(Settings.METRICS_PORT),
                pipelines, FetchConfig.read(app), kafka, registrySettings, UiConfig.read(app),
                AdminConfig.read(app, Path.of(app.string(Settings.MODEL_DIR))),
                Duration.ofMillis(app.longValue(Settings.STARTUP_CHECK_TIMEOUT_MS)),
                Duration.ofMillis(app.longValue(Settings.HEALTH_CHECK_INTERVAL_MS)),
                app.list(Settings.METRICS_LATENCY_SLO_MS).stream().map(ms -> Duration.ofMillis(Long.parseLong(ms))).toList());
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
        // a topic feeds one source in a topology: a prompts topic cannot also be an input or shared
        Set<String> prompts = new HashSet<>();
        for (PipelineConfig p : pipelines) {
            String t = p.feed().sourcePromptsTopic();
            if (t != null && (inputs.contains(t) || !prompts.add(t))) {
                throw new ConfigException("pipeline." + p.name() + "." + Settings.SOURCE_PROMPTS_TOPIC, t,
                        "topic is already an input or the prompts topic of another pipeline");
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
                + ", registrySettings=" + Redaction.redact(registrySettings) + ", admin=" + admin + "]";
    }
}
