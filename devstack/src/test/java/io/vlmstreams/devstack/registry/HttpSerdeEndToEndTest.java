package io.vlmstreams.devstack.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;

import io.vlmstreams.schemas.DeadLetter;
import io.vlmstreams.schemas.DeadLetterReason;
import io.vlmstreams.schemas.ImageEvent;
import io.vlmstreams.schemas.ImageReference;
import io.vlmstreams.schemas.InlineImage;
import io.vlmstreams.schemas.serde.ConfluentWireFormat;
import io.vlmstreams.schemas.serde.GenericAvroSerde;
import io.vlmstreams.schemas.serde.SchemaNotFoundException;
import io.vlmstreams.schemas.serde.SpecificAvroSerde;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Producer-side and consumer-side serdes that share nothing but the registry server, with basic auth. */
class HttpSerdeEndToEndTest {

    private TestSchemaRegistryServer server;

    @BeforeEach
    void start() {
        server = TestSchemaRegistryServer.builder().basicAuth("app", "pw").start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static ImageEvent inline() {
        return ImageEvent.newBuilder().setEventId("e-1").setEventTime(Instant.ofEpochMilli(1_700_000_000_000L))
                .setImage(InlineImage.newBuilder().setData(ByteBuffer.wrap(new byte[] {9, 8, 7})).setMediaType("image/png").build())
                .setPrompt("Describe.").setAttributes(Map.of("k", "v")).build();
    }

    private static ImageEvent reference() {
        return ImageEvent.newBuilder().setEventId("e-2").setEventTime(Instant.ofEpochMilli(1))
                .setImage(ImageReference.newBuilder().setUri("https://example.org/a.jpg").build()).build();
    }

    @Test
    void specificRecordsRoundTripOverHttp() {
        Map<String, Object> configs = server.clientConfigs();
        try (var producerSide = new SpecificAvroSerde<>(ImageEvent.class);
             var consumerSide = new SpecificAvroSerde<>(ImageEvent.class)) {
            producerSide.configure(configs, false);
            consumerSide.configure(configs, false);
            for (ImageEvent event : new ImageEvent[] {inline(), reference()}) {
                byte[] bytes = producerSide.serializer().serialize("images", event);
                assertThat(ConfluentWireFormat.schemaId("images", bytes)).isEqualTo(1);
                assertThat(consumerSide.deserializer().deserialize("images", bytes)).isEqualTo(event);
            }
        }
        assertThat(server.registry().getSubjects()).containsExactly("images-value");
        // One registration and one fetch by id: both clients cached what they learned.
        assertThat(server.requests()).extracting(r -> r.method() + " " + r.path())
                .containsExactly("POST /subjects/images-value/versions", "GET /schemas/ids/1");
        assertThat(server.requests()).allSatisfy(r -> assertThat(r.header("Authorization")).startsWith("Basic "));
    }

    @Test
    void genericConsumerReadsSpecificProducerData() {
        DeadLetter letter = DeadLetter.newBuilder().setSourceTopic("images").setSourcePartition(0).setSourceOffset(7)
                .setReason(DeadLetterReason.DESERIALIZATION).setMessage("bad magic byte")
                .setFailedAt(Instant.ofEpochMilli(5)).setOriginalValue(ByteBuffer.wrap(new byte[] {1})).setOriginalValueSize(1)
                .build();
        try (var producerSide = new SpecificAvroSerde<>(DeadLetter.class); var consumerSide = new GenericAvroSerde()) {
            producerSide.configure(server.clientConfigs(), true);
            consumerSide.configure(server.clientConfigs(), true);
            GenericRecord read = consumerSide.deserializer().deserialize("dlq", producerSide.serializer().serialize("dlq", letter));
            assertThat(read.get("message").toString()).isEqualTo("bad magic byte");
            assertThat(read.get("failed_at")).isEqualTo(5L);
            assertThat(read.get("reason").toString()).isEqualTo("DESERIALIZATION");
        }
        assertThat(server.registry().getSubjects()).containsExactly("dlq-key");
    }

    @Test
    void unknownSchemaIdOverHttpIsASerializationException() {
        try (var serde = new SpecificAvroSerde<>(ImageEvent.class)) {
            serde.configure(server.clientConfigs(), false);
            assertThatThrownBy(() -> serde.deserializer().deserialize("images", new byte[] {0, 0, 0, 0, 77, 2}))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("Unknown schema id 77")
                    .hasCauseInstanceOf(SchemaNotFoundException.class);
        }
    }
}
