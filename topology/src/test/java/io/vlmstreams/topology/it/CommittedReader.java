package io.vlmstreams.topology.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import io.vlmstreams.schemas.serde.GenericAvroSerde;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A read_committed consumer over output topics (answers, dead letters) that accumulates what the
 * application committed, from the beginning, for tests that watch outputs while they provoke
 * faults. No consumer group: it moves no one's offsets.
 */
final class CommittedReader implements AutoCloseable {

    /** One committed output record, decoded with its writer's schema. */
    record Output(String topic, String key, GenericRecord value) {
        String field(String name) {
            Object v = value.get(name);
            return v == null ? null : v.toString();
        }
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final GenericAvroSerde serde = new GenericAvroSerde();
    private final List<Output> outputs = new ArrayList<>();
    private long lastArrival = System.nanoTime();

    CommittedReader(Map<String, Object> clientProps, Map<String, Object> serdeConfigs, String... topics) {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        serde.configure(serdeConfigs, false);
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    CommittedReader(Map<String, Object> clientProps, String registryUrl, String... topics) {
        this(clientProps, Map.of("schema.registry.url", registryUrl), topics);
    }

    /** Everything read so far (after one more poll). */
    List<Output> outputs() {
        poll();
        return List.copyOf(outputs);
    }

    /** The {@code event_id}s of the records read so far from {@code topic}. */
    List<String> eventIds(String topic) {
        return outputs().stream().filter(o -> o.topic().equals(topic)).map(o -> o.field("event_id")).toList();
    }

    int count() {
        poll();
        return outputs.size();
    }

    /** Polls until {@code count} records arrived or {@code limit} passed; true if they arrived. */
    boolean awaitCount(int count, Duration limit) {
        long end = System.nanoTime() + limit.toNanos();
        while (outputs.size() < count && System.nanoTime() < end) {
            poll();
        }
        return outputs.size() >= count;
    }

    /** Polls until a record matches or {@code limit} passed. */
    Optional<Output> await(Predicate<Output> match, Duration limit) {
        long end = System.nanoTime() + limit.toNanos();
        int checked = 0;
        while (true) {
            for (; checked < outputs.size(); checked++) {
                if (match.test(outputs.get(checked))) {
                    return Optional.of(outputs.get(checked));
                }
            }
            if (System.nanoTime() >= end) {
                return Optional.empty();
            }
            poll();
        }
    }

    /** Polls until nothing new arrived for {@code quiet}. */
    void awaitQuiet(Duration quiet) {
        while (System.nanoTime() - lastArrival < quiet.toNanos()) {
            poll();
        }
    }

    private void poll() {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
            outputs.add(new Output(r.topic(), r.key() == null ? null : new String(r.key(), java.nio.charset.StandardCharsets.UTF_8),
                    serde.deserializer().deserialize(r.topic(), r.value())));
            lastArrival = System.nanoTime();
        }
    }

    @Override
    public void close() {
        consumer.close();
        serde.close();
    }
}
