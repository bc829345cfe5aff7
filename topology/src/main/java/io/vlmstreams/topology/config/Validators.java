package io.vlmstreams.topology.config;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.kafka.common.config.ConfigDef.LambdaValidator;
import org.apache.kafka.common.config.ConfigDef.Validator;
import org.apache.kafka.common.config.ConfigException;

/**
 * The checks {@link Settings} needs beyond Kafka's own validators: optional values, open and closed
 * decimal intervals that refuse NaN, and lists. Each names its rule in {@link Object#toString()},
 * which the configuration reference shows.
 */
final class Validators {

    private Validators() {
    }

    /** {@code inner}, or no value at all (the setting is optional and has no default). */
    static Validator nullOr(Validator inner) {
        return LambdaValidator.with((name, value) -> {
            if (value != null) {
                inner.ensureValid(name, value);
            }
        }, inner::toString);
    }

    /** A decimal in the interval from {@code min} to {@code max}, each end included or not; NaN never passes. */
    static Validator decimal(double min, boolean minIncluded, double max, boolean maxIncluded) {
        String rule = (minIncluded ? "[" : "(") + number(min) + ",...," + number(max) + (maxIncluded ? "]" : ")");
        return LambdaValidator.with((name, value) -> {
            double d = ((Number) value).doubleValue();
            boolean above = minIncluded ? d >= min : d > min;
            boolean below = maxIncluded ? d <= max : d < max;
            if (!(above && below)) {
                throw new ConfigException(name, value, "must be in " + rule);
            }
        }, () -> rule);
    }

    /** A list with at least one non-empty element. */
    static Validator nonEmptyList() {
        return LambdaValidator.with((name, value) -> {
            if (elements(value).isEmpty()) {
                throw new ConfigException(name, value, "needs at least one comma-separated value");
            }
        }, () -> "non-empty list");
    }

    /** A list whose every element is one of {@code allowed}. */
    static Validator listOf(String... allowed) {
        Set<String> valid = Set.of(allowed);
        String rule = String.join(", ", allowed);
        return LambdaValidator.with((name, value) -> {
            for (String element : elements(value)) {
                if (!valid.contains(element)) {
                    throw new ConfigException(name, element, "each value must be one of " + rule);
                }
            }
        }, () -> "any of " + rule);
    }

    /**
     * Pipeline names: at least one, each of letters, digits, {@code _} and {@code -} (a name becomes part
     * of keys, environment variables and metric labels), none twice.
     */
    static Validator pipelineNames() {
        return LambdaValidator.with((name, value) -> {
            List<String> names = elements(value);
            if (names.isEmpty()) {
                throw new ConfigException(name, value, "is required: a comma-separated list of pipeline names");
            }
            Set<String> seen = new HashSet<>();
            for (String pipeline : names) {
                if (!pipeline.matches("[A-Za-z0-9_-]+")) {
                    throw new ConfigException(name, pipeline, "pipeline names use letters, digits, '_' and '-'");
                }
                if (!seen.add(pipeline)) {
                    throw new ConfigException(name, value, "names pipeline '" + pipeline + "' twice");
                }
            }
        }, () -> "names of [A-Za-z0-9_-]");
    }

    /**
     * Comma-separated registry URLs, each {@code http://}, {@code https://} or {@code mock://}: checked
     * with the other settings so that {@code localhost:8081} stops the start at once, not on the first record.
     */
    static Validator registryUrls() {
        return LambdaValidator.with((name, value) -> {
            String text = value == null ? "" : value.toString().trim();
            if (text.isEmpty()) {
                throw new ConfigException(name, value, "must not be empty");
            }
            for (String url : text.split(",")) {
                String u = url.trim().toLowerCase(java.util.Locale.ROOT);
                if (!(u.startsWith("http://") || u.startsWith("https://") || u.startsWith("mock://"))) {
                    throw new ConfigException(name, url.trim(), "needs a scheme: http://, https:// or mock:// (e.g. http://"
                            + url.trim() + ")");
                }
            }
        }, () -> "http(s):// or mock:// URLs");
    }

    /** A non-empty list of positive whole numbers in increasing order (histogram bucket bounds). */
    static Validator increasingPositiveLongs() {
        return LambdaValidator.with((name, value) -> {
            List<String> values = elements(value);
            if (values.isEmpty()) {
                throw new ConfigException(name, value, "needs at least one bound");
            }
            long last = 0;
            for (String v : values) {
                long n;
                try {
                    n = Long.parseLong(v);
                } catch (NumberFormatException e) {
                    throw new ConfigException(name, v, "each bound must be a whole number of milliseconds");
                }
                if (n <= last) {
                    throw new ConfigException(name, value, "bounds must be positive and increasing");
                }
                last = n;
            }
        }, () -> "increasing positive integers");
    }

    /** The non-empty elements of a parsed LIST value ({@code a,,b} has two). */
    static List<String> elements(Object list) {
        if (list == null) {
            return List.of();
        }
        return ((List<?>) list).stream().map(Object::toString).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static String number(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}
