package io.vlmstreams.topology.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import org.apache.kafka.common.config.ConfigException;

/**
 * The merged key/value settings of the application, untyped: a base (a properties file, or settings
 * built by a command), overlaid with {@code VLM_*} environment variables ({@link EnvironmentVariables}),
 * overlaid with explicit overrides (command-line {@code key=value}s). {@link AppConfig#from} types and
 * checks them.
 */
public final class ConfigSource {

    private final Map<String, String> values;

    private ConfigSource(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    }

    /** Settings given directly (tests, the sandbox), without environment. */
    public static ConfigSource of(Map<String, String> values) {
        return new ConfigSource(values);
    }

    /** Reads {@code file} and applies environment overrides. */
    public static ConfigSource load(Path file, Map<String, String> env) {
        return layered(readFile(file), env, Map.of());
    }

    /** Overlays the {@code VLM_*} variables of {@code env} on {@code values}. */
    public static ConfigSource withEnvironment(Map<String, String> values, Map<String, String> env) {
        return layered(values, env, Map.of());
    }

    /**
     * {@code base}, then the {@code VLM_*} variables of {@code env}, then {@code overrides}, each winning
     * over the one before. Pipeline variables are read for the pipelines that the result declares.
     *
     * @throws ConfigException for a {@code VLM_} variable that names no setting
     */
    public static ConfigSource layered(Map<String, String> base, Map<String, String> env, Map<String, String> overrides) {
        Map<String, String> declaring = new LinkedHashMap<>(base);
        String pipelinesVariable = env.get(EnvironmentVariables.name(Settings.PIPELINES));
        if (pipelinesVariable != null) {
            declaring.put(Settings.PIPELINES, pipelinesVariable);
        }
        declaring.putAll(overrides);
        List<String> pipelines = UnknownSettings.declaredPipelines(declaring);
        Map<String, String> merged = new TreeMap<>(base);
        merged.putAll(EnvironmentVariables.settings(env, pipelines));
        merged.putAll(overrides);
        return new ConfigSource(merged);
    }

    /** The settings of a properties file, values trimmed. */
    public static Map<String, String> readFile(Path file) {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(reader);
        } catch (IOException e) {
            throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage());
        }
        Map<String, String> values = new TreeMap<>();
        props.stringPropertyNames().forEach(k -> values.put(k, props.getProperty(k).trim()));
        return values;
    }

    /** Every setting, as given. */
    public Map<String, String> asMap() {
        return values;
    }

    /** The settings with a value: an empty value of a vlm-streams key means its default. */
    Map<String, String> nonBlank() {
        Map<String, String> out = new TreeMap<>();
        values.forEach((k, v) -> {
            if (!v.isBlank()) {
                out.put(k, v);
            }
        });
        return out;
    }

    @Override
    public String toString() {
        return Redaction.redact(values).toString();
    }
}
