package io.vlmstreams.topology.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

import org.apache.kafka.common.config.ConfigException;

/**
 * The merged key/value settings of the application: a properties file overlaid with environment
 * variables ({@code VLM_} + the key upper-cased, dots and dashes as underscores). Typed getters
 * fail with a {@link ConfigException} that names the key, so a bad setting is found at start.
 */
public final class ConfigSource {

    /** Environment variables with this prefix override keys. */
    public static final String ENV_PREFIX = "VLM_";

    private final Map<String, String> values;

    private ConfigSource(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    }

    /** Settings given directly (tests, the single-pipeline command line), without environment. */
    public static ConfigSource of(Map<String, String> values) {
        return new ConfigSource(values);
    }

    /** Reads {@code file} and applies environment overrides. */
    public static ConfigSource load(Path file, Map<String, String> env) {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(reader);
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage());
        }
        Map<String, String> values = new TreeMap<>();
        props.stringPropertyNames().forEach(k -> values.put(k, props.getProperty(k).trim()));
        return withEnvironment(values, env);
    }

    /**
     * Overlays {@code env} on {@code values}. A variable overrides a key that the file names or that
     * {@link KnownKeys} recognises (vlm-streams' own keys, the pipelines' keys, every Kafka client and
     * Streams setting, registry settings); other {@code VLM_} variables (launcher options such as
     * {@code VLM_JAVA_OPTS}) are ignored rather than guessed into keys.
     */
    public static ConfigSource withEnvironment(Map<String, String> values, Map<String, String> env) {
        Map<String, String> merged = new TreeMap<>(values);
        for (String key : values.keySet()) {
            String override = env.get(envName(key));
            if (override != null) {
                merged.put(key, override.trim());
            }
        }
        List<String> pipelines = csv(merged.get("pipelines"));
        Set<String> pipelineKeys = KnownKeys.pipelineKeys(pipelines);
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (!e.getKey().startsWith(ENV_PREFIX)) {
                continue;
            }
            String key = e.getKey().substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
            if (!merged.containsKey(key) && (KnownKeys.isKnown(key) || pipelineKeys.contains(key))) {
                merged.put(key, e.getValue().trim());
            }
        }
        return new ConfigSource(merged);
    }

    /** The environment variable that overrides {@code key}. */
    public static String envName(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public Map<String, String> asMap() {
        return values;
    }

    public Optional<String> optional(String key) {
        String v = values.get(key);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v);
    }

    public String required(String key) {
        return optional(key).orElseThrow(() -> new ConfigException(key, null, "is required"));
    }

    public String string(String key, String defaultValue) {
        return optional(key).orElse(defaultValue);
    }

    public int integer(String key, int defaultValue, int min, int max) {
        // The range check keeps the value within [min, max], so it fits an int.
        return (int) longValue(key, defaultValue, min, max);
    }

    public long longValue(String key, long defaultValue, long min, long max) {
        Optional<String> raw = optional(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        long value;
        try {
            value = Long.parseLong(raw.get());
        } catch (NumberFormatException e) {
            throw new ConfigException(key, raw.get(), "must be an integer");
        }
        if (value < min || value > max) {
            throw new ConfigException(key, raw.get(), "must be in [" + min + ", " + max + "]");
        }
        return value;
    }

    public double decimal(String key, double defaultValue, Predicate<Double> valid, String rule) {
        Optional<String> raw = optional(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        double value;
        try {
            value = Double.parseDouble(raw.get());
        } catch (NumberFormatException e) {
            throw new ConfigException(key, raw.get(), "must be a number");
        }
        if (!valid.test(value)) {
            throw new ConfigException(key, raw.get(), rule);
        }
        return value;
    }

    public boolean bool(String key, boolean defaultValue) {
        Optional<String> raw = optional(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        return switch (raw.get().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConfigException(key, raw.get(), "must be true or false");
        };
    }

    public List<String> list(String key) {
        return csv(values.get(key));
    }

    static List<String> csv(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    @Override
    public String toString() {
        return Redaction.redact(values).toString();
    }
}
