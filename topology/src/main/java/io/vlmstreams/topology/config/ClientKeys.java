package io.vlmstreams.topology.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.apache.kafka.common.config.ConfigException;

/**
 * Checks the keys a command passes straight to Kafka clients and the registry client
 * ({@code produce --set}, {@code tail --client-config}): each must be one the clients define, or the
 * command stops with the nearest known key; Kafka would only log the typo and keep its default.
 */
public final class ClientKeys {

    private ClientKeys() {
    }

    /** Throws one {@link ConfigException} naming every unknown key of {@code keys} and the nearest known one. */
    public static void check(Collection<String> keys) {
        List<String> problems = new ArrayList<>();
        Set<String> known = new TreeSet<>(KafkaKeys.NAMES);
        known.addAll(RegistryKeys.NAMES);
        for (String key : new TreeSet<>(keys)) {
            if (!KafkaKeys.isKnown(key) && !RegistryKeys.NAMES.contains(key)) {
                problems.add("'" + key + "'" + NearestName.of(key, known).map(k -> " (did you mean '" + k + "'?)").orElse(""));
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException((problems.size() == 1 ? "Unknown client setting " : "Unknown client settings: ")
                    + String.join("; ", problems));
        }
    }
}
