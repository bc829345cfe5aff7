package io.vlmstreams.topology.config;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The configuration as one log line of {@code key=value}s, named as the user sets them and with
 * secrets hidden ({@link Redaction}), instead of a dump of the records with their internal fields.
 */
public final class ConfigSummary {

    private ConfigSummary() {
    }

    /** The main settings in force, sorted by key. */
    public static Map<String, String> of(AppConfig app) {
        Map<String, Object> m = new TreeMap<>();
        m.put(Settings.APPLICATION_ID, app.applicationId());
        m.put(Settings.BOOTSTRAP_SERVERS, app.bootstrapServers());
        m.put(Settings.SCHEMA_REGISTRY_URL, app.registryUrl().replaceAll("//[^/@]*@", "//[hidden]@"));
        m.put(Settings.MODEL_DIR, app.model().dir());
        m.put(Settings.MODEL_DTYPE, app.model().dtype());
        m.put(Settings.ENGINE_PROVIDER, app.model().provider());
        m.put(Settings.ENGINE_MAX_BATCH_SIZE, app.model().maxBatchSize());
        m.put(Settings.DEAD_LETTER_TOPIC, app.deadLetterTopic());
        m.put(Settings.METRICS_PORT, app.metricsPort());
        for (PipelineConfig p : app.pipelines()) {
            String prefix = Settings.pipelinePrefix(p.name());
            m.put(prefix + Settings.INPUT_TOPICS, String.join(",", p.inputTopics()));
            m.put(prefix + Settings.OUTPUT_TOPIC, p.outputTopic());
            m.put(prefix + Settings.MODE, p.mode().name().toLowerCase(Locale.ROOT));
            m.put(prefix + Settings.MAX_NEW_TOKENS, p.generation().maxNewTokens());
        }
        app.kafkaSettings().forEach(m::putIfAbsent);
        app.registrySettings().forEach(m::putIfAbsent);
        return Redaction.redact(m);
    }

    /** {@link #of} as {@code key=value key=value ...}. */
    public static String line(AppConfig app) {
        StringBuilder out = new StringBuilder();
        of(app).forEach((k, v) -> out.append(out.length() == 0 ? "" : " ").append(k).append('=').append(v));
        return out.toString();
    }
}
