package io.vlmstreams.topology.config;

import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.ConfigDef;

/**
 * Values a {@link ConfigDef} parsed (typed, defaulted, validated), read by key; keys are given without
 * the {@code prefix} all of them share ({@code pipeline.<name>.} for a pipeline, empty otherwise).
 */
final class SettingValues {

    private final Map<String, Object> values;
    private final String prefix;

    private SettingValues(Map<String, Object> values, String prefix) {
        this.values = values;
        this.prefix = prefix;
    }

    /** Parses the keys {@code def} defines out of {@code settings}; fails on the first missing or invalid one. */
    static SettingValues parse(ConfigDef def, Map<String, String> settings, String prefix) {
        return new SettingValues(def.parse(settings), prefix);
    }

    /** The full key of {@code name}, as errors name it. */
    String key(String name) {
        return prefix + name;
    }

    Map<String, Object> asMap() {
        return values;
    }

    /** A string value, or null for an optional key without default. */
    String string(String name) {
        return (String) get(name);
    }

    int integer(String name) {
        return (Integer) get(name);
    }

    /** An integer value, or null for an optional key without default. */
    Integer optionalInteger(String name) {
        return (Integer) get(name);
    }

    long longValue(String name) {
        return (Long) get(name);
    }

    double decimal(String name) {
        return (Double) get(name);
    }

    boolean bool(String name) {
        return (Boolean) get(name);
    }

    /** The non-empty elements of a list value. */
    List<String> list(String name) {
        return Validators.elements(get(name));
    }

    private Object get(String name) {
        String key = key(name);
        if (!values.containsKey(key)) {
            throw new IllegalArgumentException("not a key of these definitions: " + key);
        }
        return values.get(key);
    }
}
