package io.vlmstreams.schemas.serde;

import java.util.Map;
import java.util.Set;

import org.apache.kafka.common.config.ConfigException;

/** Confluent's default subject naming, TopicNameStrategy: {@code <topic>-key} and {@code <topic>-value}. */
public final class SubjectNames {

    /** Names under which a config may select TopicNameStrategy (ours and Confluent's class name). */
    private static final Set<String> TOPIC_NAME_STRATEGY = Set.of(
            "TopicNameStrategy", "io.confluent.kafka.serializers.subject.TopicNameStrategy");

    private SubjectNames() {
    }

    /** The subject for the key or the value of records in {@code topic}. */
    public static String topicName(String topic, boolean isKey) {
        return topic + (isKey ? "-key" : "-value");
    }

    /**
     * Fails if the configs ask for a subject name strategy other than TopicNameStrategy, the only
     * one implemented; silently using another subject would register schemas where no one looks.
     */
    static void requireTopicNameStrategy(Map<String, ?> configs, boolean isKey) {
        String key = isKey ? "key.subject.name.strategy" : "value.subject.name.strategy";
        Object value = configs.get(key);
        if (value == null) {
            return;
        }
        String name = value instanceof Class<?> c ? c.getName() : value.toString().trim();
        if (!TOPIC_NAME_STRATEGY.contains(name)) {
            throw new ConfigException(key, value, "only TopicNameStrategy is supported");
        }
    }
}
