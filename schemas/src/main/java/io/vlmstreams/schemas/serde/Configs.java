package io.vlmstreams.schemas.serde;

import java.util.Map;

import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/** Reading typed values out of the loosely typed config maps Kafka hands to serdes. */
final class Configs {

    private Configs() {
    }

    static String string(Map<String, ?> configs, String key) {
        Object value = configs.get(key);
        if (value == null) {
            return null;
        }
        // Kafka wraps secrets in Password so they stay out of its own config logging.
        String text = value instanceof Password p ? p.value() : value.toString();
        return text.isBlank() ? null : text.trim();
    }

    static boolean bool(Map<String, ?> configs, String key, boolean defaultValue) {
        Object value = configs.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        String text = value.toString().trim();
        if (text.equalsIgnoreCase("true")) {
            return true;
        }
        if (text.equalsIgnoreCase("false")) {
            return false;
        }
        throw new ConfigException(key, value, "expected true or false");
    }

    static long number(Map<String, ?> configs, String key, long defaultValue) {
        Object value = configs.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Number n) {
            return n.longValue();
        }
        try {
            return Long.parseLong(value.toString().trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key, value, "expected a number");
        }
    }
}
