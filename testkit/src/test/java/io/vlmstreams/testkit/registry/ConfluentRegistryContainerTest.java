package io.vlmstreams.testkit.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;

import io.vlmstreams.schemas.ImageEvent;
import io.vlmstreams.schemas.InlineImage;
import io.vlmstreams.schemas.serde.CompatibilityLevel;
import io.vlmstreams.schemas.serde.ConfluentWireFormat;
import io.vlmstreams.schemas.serde.HttpSchemaRegistryClient;
import io.vlmstreams.schemas.serde.IncompatibleSchemaException;
import io.vlmstreams.schemas.serde.RegistryClientConfig;
import io.vlmstreams.schemas.serde.SchemaNotFoundException;
import io.vlmstreams.schemas.serde.SpecificAvroSerde;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.ConfluentKafkaContainer;

/**
 * The project's client and serde against Confluent's own Schema Registry. Needs Docker; skipped
 * without it.
 */
@Testcontainers(disabledWithoutDocker = true)
class ConfluentRegistryContainerTest {

    private static final String CONFLUENT_VERSION = "7.9.0";
    private static final Network NETWORK = Network.newNetwork();

    @Container
    static final ConfluentKafkaContainer KAFKA = new ConfluentKafkaContainer("confluentinc/cp-kafka:" + CONFLUENT_VERSION)
            .withNetwork(NETWORK)
            .withListener("kafka:19092");

    @Container
    static final GenericContainer<?> REGISTRY = new GenericContainer<>("confluentinc/cp-schema-registry:" + CONFLUENT_VERSION)
            .withNetwork(NETWORK)
            .withExposedPorts(8081)
            .withEnv("SCHEMA_REGISTRY_HOST_NAME", "schema-registry")
            .withEnv("SCHEMA_REGISTRY_LISTENERS", "http://0.0.0.0:8081")
            .withEnv("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS", "PLAINTEXT://kafka:19092")
            .dependsOn(KAFKA)
            .waitingFor(Wait.forHttp("/subjects").forStatusCode(200));

    private static String url;

    @BeforeAll
    static void url() {
        url = "http://" + REGISTRY.getHost() + ":" + REGISTRY.getMappedPort(8081);
    }

    @AfterAll
    static void closeNetwork() {
        NETWORK.close();
    }

    @Test
    void clientSpeaksConfluentsApi() {
        try (var client = new HttpSchemaRegistryClient(RegistryClientConfig.of(url))) {
            int id = client.register("tc-images-value", ImageEvent.getClassSchema());
            assertThat(client.register("tc-images-value", ImageEvent.getClassSchema())).isEqualTo(id);
            assertThat(client.getById(id)).isEqualTo(ImageEvent.getClassSchema());
            assertThat(client.getLatest("tc-images-value").id()).isEqualTo(id);
            assertThatThrownBy(() -> client.getById(987_654)).isInstanceOf(SchemaNotFoundException.class);

            client.register("tc-r-value", SchemaBuilder.record("R").fields().requiredString("a").endRecord());
            client.setCompatibility("tc-r-value", CompatibilityLevel.BACKWARD);
            assertThat(client.getCompatibility("tc-r-value")).isEqualTo(CompatibilityLevel.BACKWARD);
            assertThatThrownBy(() -> client.register("tc-r-value",
                    SchemaBuilder.record("R").fields().requiredString("a").requiredInt("b").endRecord()))
                    .isInstanceOf(IncompatibleSchemaException.class);
        }
    }

    @Test
    void serdeRoundTripsThroughConfluentsRegistry() {
        ImageEvent event = ImageEvent.newBuilder().setEventId("tc-1").setEventTime(Instant.ofEpochMilli(42))
                .setImage(InlineImage.newBuilder().setData(ByteBuffer.wrap(new byte[] {1, 2})).build()).build();
        try (var serde = new SpecificAvroSerde<>(ImageEvent.class)) {
            serde.configure(Map.of("schema.registry.url", url), false);
            byte[] bytes = serde.serializer().serialize("tc-serde", event);
            try (var client = new HttpSchemaRegistryClient(RegistryClientConfig.of(url))) {
                assertThat(ConfluentWireFormat.schemaId("tc-serde", bytes)).isEqualTo(client.getLatest("tc-serde-value").id());
            }
            assertThat(serde.deserializer().deserialize("tc-serde", bytes)).isEqualTo(event);
        }
    }
}
