package io.vlmstreams.topology.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.vlmstreams.schemas.ImageEvent;
import io.vlmstreams.schemas.ImageReference;
import io.vlmstreams.schemas.InlineImage;
import io.vlmstreams.schemas.serde.GenericAvroSerde;
import io.vlmstreams.schemas.serde.SpecificAvroSerde;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Producing events and reading committed outputs in the integration tests. */
final class KafkaIo {

    private final Map<String, Object> clientProps;
    private final Map<String, Object> serdeConfigs;

    KafkaIo(Map<String, Object> clientProps, String registryUrl) {
        this(clientProps, Map.of("schema.registry.url", registryUrl));
    }

    /** With the registry's full client configs (credentials, trust store). */
    KafkaIo(Map<String, Object> clientProps, Map<String, Object> serdeConfigs) {
        this.clientProps = clientProps;
        this.serdeConfigs = Map.copyOf(serdeConfigs);
    }

    static byte[] fixtureImage(String name) {
        String dir = System.getProperty("vlm.fixtures.dir", "../fixtures");
        try {
            return Files.readAllBytes(Path.of(dir, "upstream", "images", name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ImageEvent inline(String eventId, String sourceId, byte[] image) {
        return event(eventId, sourceId, new InlineImage(ByteBuffer.wrap(image), "image/png"));
    }

    static ImageEvent byReference(String eventId, String uri) {
        return event(eventId, null, new ImageReference(uri, null));
    }

    private static ImageEvent event(String eventId, String sourceId, Object image) {
        return ImageEvent.newBuilder().setEventId(eventId).setSourceId(sourceId).setEventTime(Instant.ofEpochMilli(1_700_000_000_000L))
                .setImage(image).setPrompt(null).setOverrides(null)
                .setAttributes(Map.of("n", eventId)).build();
    }

    /** Sends {@code values} (already serialized) with their keys, in order. */
    void sendRaw(String topic, List<Map.Entry<String, byte[]>> records) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(clientProps, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (Map.Entry<String, byte[]> r : records) {
                producer.send(new ProducerRecord<>(topic, r.getKey().getBytes(StandardCharsets.UTF_8), r.getValue()));
            }
            producer.flush();
        }
    }

    byte[] serialize(String topic, ImageEvent event) {
        try (SpecificAvroSerde<ImageEvent> serde = new SpecificAvroSerde<>(ImageEvent.class)) {
            serde.configure(serdeConfigs, false);
            return serde.serializer().serialize(topic, event);
        }
    }

    /**
     * Reads committed records of {@code topic} from the beginning until {@code expected} arrived and
     * nothing more came for {@code quiet}, or {@code limit} passed (the caller then sees fewer).
     */
    List<ConsumerRecord<String, GenericRecord>> readCommitted(String topic, int expected, Duration quiet, Duration limit) {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, GenericRecord>> out = new ArrayList<>();
        try (GenericAvroSerde serde = new GenericAvroSerde();
             KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                     new ByteArrayDeserializer())) {
            serde.configure(serdeConfigs, false);
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long end = System.nanoTime() + limit.toNanos();
            long lastArrival = System.nanoTime();
            while (System.nanoTime() < end) {
                var records = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    out.add(new ConsumerRecord<>(r.topic(), r.partition(), r.offset(),
                            r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8),
                            serde.deserializer().deserialize(r.topic(), r.value())));
                    lastArrival = System.nanoTime();
                }
                if (out.size() >= expected && System.nanoTime() - lastArrival > quiet.toNanos()) {
                    break;
                }
            }
        }
        return out;
    }
}
