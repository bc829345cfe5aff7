package io.vlmstreams.devstack.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads a topic from the beginning, without a consumer group (all partitions assigned), as
 * {@code read_committed} unless the given properties say otherwise: sees only what committed
 * transactions wrote, like the application's downstream consumers. Not thread-safe.
 *
 * <pre>{@code
 * try (RecordCollector<String, String> out = RecordCollector.open(kafka.clientProperties(), "answers",
 *         new StringDeserializer(), new StringDeserializer())) {
 *     List<ConsumerRecord<String, String>> records = out.awaitCount(10, Duration.ofSeconds(30));
 * }
 * }</pre>
 */
public final class RecordCollector<K, V> implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(100);

    private final String topic;
    private final KafkaConsumer<K, V> consumer;
    private final Set<TopicPartition> partitions;
    private final List<ConsumerRecord<K, V>> records = new ArrayList<>();

    private RecordCollector(String topic, KafkaConsumer<K, V> consumer, Set<TopicPartition> partitions) {
        this.topic = topic;
        this.consumer = consumer;
        this.partitions = partitions;
    }

    /**
     * Opens a collector on an existing topic.
     *
     * @param clientProperties e.g. {@link EmbeddedKafkaCluster#clientProperties()}; entries here
     *                         override the collector's defaults (such as {@code isolation.level})
     */
    public static <K, V> RecordCollector<K, V> open(Map<String, Object> clientProperties, String topic,
                                                    Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "record-collector-" + topic);
        props.putAll(clientProperties);
        KafkaConsumer<K, V> consumer = new KafkaConsumer<>(props, keyDeserializer, valueDeserializer);
        try {
            List<PartitionInfo> infos = consumer.partitionsFor(topic);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalArgumentException("topic " + topic + " does not exist");
            }
            Set<TopicPartition> partitions = infos.stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .collect(Collectors.toUnmodifiableSet());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            return new RecordCollector<>(topic, consumer, partitions);
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
    }

    /** Opens a collector, waits for {@code count} records and closes it. */
    public static <K, V> List<ConsumerRecord<K, V>> consume(Map<String, Object> clientProperties, String topic,
                                                            Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer,
                                                            int count, Duration timeout) {
        try (RecordCollector<K, V> collector = open(clientProperties, topic, keyDeserializer, valueDeserializer)) {
            return collector.awaitCount(count, timeout);
        }
    }

    /**
     * Polls until at least {@code count} records were collected in all.
     *
     * @return every record collected so far, in arrival order (per partition: offset order)
     * @throws IllegalStateException if fewer arrived within the timeout
     */
    public List<ConsumerRecord<K, V>> awaitCount(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (records.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("expected " + count + " records on " + topic + " within " + timeout
                        + ", got " + records.size());
            }
            pollOnce();
        }
        return records();
    }

    /**
     * Polls until this collector has read every partition up to its current end (for
     * {@code read_committed}, the last stable offset): afterwards {@link #records()} holds
     * exactly what the topic held when this was called.
     *
     * @throws IllegalStateException if the end is not reached within the timeout
     */
    public List<ConsumerRecord<K, V>> readToEnd(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        while (!reached(end)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("did not reach the end of " + topic + " " + end + " within " + timeout
                        + ", got " + records.size() + " records");
            }
            pollOnce();
        }
        return records();
    }

    /** Every record collected so far. */
    public List<ConsumerRecord<K, V>> records() {
        return List.copyOf(records);
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }

    private boolean reached(Map<TopicPartition, Long> end) {
        for (TopicPartition partition : partitions) {
            if (consumer.position(partition) < end.getOrDefault(partition, 0L)) {
                return false;
            }
        }
        return true;
    }

    private void pollOnce() {
        consumer.poll(POLL).forEach(records::add);
    }
}
