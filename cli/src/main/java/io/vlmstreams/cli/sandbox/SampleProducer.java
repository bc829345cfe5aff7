package io.vlmstreams.cli.sandbox;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import io.vlmstreams.schemas.ImageEvent;
import io.vlmstreams.schemas.InlineImage;
import io.vlmstreams.schemas.serde.SpecificAvroSerde;
import io.vlmstreams.devstack.samples.SampleImages;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends the shipped sample images as {@link ImageEvent}s with inline bytes, each with a fresh event
 * id and the attribute {@value #IMAGE_ATTRIBUTE} naming its file, which the answer carries back.
 */
final class SampleProducer {

    /** Attribute holding the sample's file name. */
    static final String IMAGE_ATTRIBUTE = "image";
    static final String SOURCE_ID = "sandbox";

    private SampleProducer() {
    }

    /** Sends every sample {@code rounds} times to {@code topic}; returns the number sent. */
    static int send(Map<String, Object> clientConfigs, String topic, int rounds) {
        List<SampleImages.Sample> samples = SampleImages.all();
        Map<String, Object> props = new HashMap<>(clientConfigs);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        int sent = 0;
        try (SpecificAvroSerde<ImageEvent> serde = new SpecificAvroSerde<>(ImageEvent.class)) {
            serde.configure(clientConfigs, false);
            try (KafkaProducer<String, ImageEvent> producer =
                         new KafkaProducer<>(props, new StringSerializer(), serde.serializer())) {
                List<Future<RecordMetadata>> acks = new ArrayList<>();
                for (int round = 0; round < rounds; round++) {
                    for (SampleImages.Sample s : samples) {
                        // Keyed by file name: a sample's repeats stay on one partition, in order.
                        acks.add(producer.send(new ProducerRecord<>(topic, s.name(), event(s))));
                    }
                }
                producer.flush();
                // flush() does not report failed records: count only what the broker acknowledged.
                for (Future<RecordMetadata> ack : acks) {
                    acknowledged(ack, topic);
                    sent++;
                }
            }
        }
        return sent;
    }

    private static void acknowledged(Future<RecordMetadata> ack, String topic) {
        try {
            ack.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("sending a sample to " + topic + " failed: " + e.getCause().getMessage(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending samples to " + topic, e);
        }
    }

    private static ImageEvent event(SampleImages.Sample s) {
        return ImageEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setSourceId(SOURCE_ID)
                .setEventTime(Instant.now())
                .setImage(InlineImage.newBuilder().setData(ByteBuffer.wrap(s.bytes())).setMediaType(s.mediaType()).build())
                .setPrompt(null)
                .setOverrides(null)
                .setAttributes(Map.of(IMAGE_ATTRIBUTE, s.name()))
                .build();
    }
}
