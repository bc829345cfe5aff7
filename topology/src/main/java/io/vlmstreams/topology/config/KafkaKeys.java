package io.vlmstreams.topology.config;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Set;
import java.util.TreeSet;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The keys Kafka's own clients define, which pass through to them: every name in the Streams,
 * producer, consumer and admin {@code ConfigDef}s, those names under the prefixes with which Streams
 * routes a setting to one client ({@code producer.}, {@code main.consumer.}, ...), topic configs
 * under {@code topic.}, and Streams' free-form {@code client.tag.*}.
 */
final class KafkaKeys {

    /** Every fixed key (the free-form {@code client.tag.*} aside). */
    static final Set<String> NAMES = names();

    private KafkaKeys() {
    }

    static boolean isKnown(String key) {
        return NAMES.contains(key)
                || key.startsWith(StreamsConfig.CLIENT_TAG_PREFIX) && key.length() > StreamsConfig.CLIENT_TAG_PREFIX.length();
    }

    private static Set<String> names() {
        Set<String> keys = new TreeSet<>(StreamsConfig.configDef().names());
        Set<String> producer = ProducerConfig.configNames();
        Set<String> consumer = ConsumerConfig.configNames();
        Set<String> admin = AdminClientConfig.configNames();
        keys.addAll(producer);
        keys.addAll(consumer);
        keys.addAll(admin);
        producer.forEach(k -> keys.add(StreamsConfig.PRODUCER_PREFIX + k));
        for (String prefix : new String[] {StreamsConfig.CONSUMER_PREFIX, StreamsConfig.MAIN_CONSUMER_PREFIX,
                StreamsConfig.RESTORE_CONSUMER_PREFIX, StreamsConfig.GLOBAL_CONSUMER_PREFIX}) {
            consumer.forEach(k -> keys.add(prefix + k));
        }
        admin.forEach(k -> keys.add(StreamsConfig.ADMIN_CLIENT_PREFIX + k));
        topicConfigs().forEach(k -> keys.add(StreamsConfig.TOPIC_PREFIX + k));
        return Set.copyOf(keys);
    }

    /** Topic config names: Kafka lists them only as {@code TopicConfig.*_CONFIG} constants. */
    private static Set<String> topicConfigs() {
        Set<String> names = new TreeSet<>();
        for (Field f : TopicConfig.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class && f.getName().endsWith("_CONFIG")) {
                try {
                    names.add((String) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException("cannot read TopicConfig." + f.getName(), e);
                }
            }
        }
        return names;
    }
}
