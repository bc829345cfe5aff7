package io.vlmstreams.cli.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Instant;
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

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.vlmstreams.inference.engine.InferenceEngine;
import io.vlmstreams.devstack.samples.SampleImages;
import io.vlmstreams.topology.app.EngineLoader;
import io.vlmstreams.topology.app.StreamsApp;
import io.vlmstreams.topology.config.AppConfig;
import io.vlmstreams.topology.config.ConfigSource;
import io.vlmstreams.topology.ops.VlmMetrics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The sandbox's end-to-end path against the images docker-compose.yml runs instead of the embedded broker and
 * test registry: apache/kafka and Confluent's cp-schema-registry in containers (read from the compose file, so the
 * two cannot drift apart), the sample images produced, the application in-process with the synthetic tiny model,
 * every sample answered; and the project's registry client and serde against Confluent's own Schema Registry.
 * Needs Docker; skipped without it.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainerStackTest {

    private static final Network NETWORK = Network.newNetwork();

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer(ComposeImages.of("kafka"))
            .withNetwork(NETWORK)
            .withListener("kafka:19092");

    @Container
    static final GenericContainer<?> REGISTRY = new GenericContainer<>(ComposeImages.of("schema-registry"))
            .withNetwork(NETWORK)
            .withExposedPorts(8081)
            .withEnv("SCHEMA_REGISTRY_HOST_NAME", "schema-registry")
            .withEnv("SCHEMA_REGISTRY_LISTENERS", "http://0.0.0.0:8081")
            .withEnv("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS", "PLAINTEXT://kafka:19092")
            .dependsOn(KAFKA)
            .waitingFor(Wait.forHttp("/subjects").forStatusCode(200));

    @TempDir
    static Path temp;

    private static String registryUrl() {
        return "http://" + REGISTRY.getHost() + ":" + REGISTRY.getMappedPort(8081);
    }

    @AfterAll
    static void closeNetwork() {
        NETWORK.close();
    }

    @Test
    void everySampleIsAnswered() throws Exception {
        String registryUrl = registryUrl();
        Map<String, Object> clients = Map.of("bootstrap.servers", KAFKA.getBootstrapServers(),
                "schema.registry.url", registryUrl);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", KAFKA.getBootstrapServers()))) {
            admin.createTopics(List.of(Sandbox.INPUT_TOPIC, Sandbox.ANSWER_TOPIC, Sandbox.DEAD_LETTER_TOPIC).stream()
                    .map(t -> new NewTopic(t, Sandbox.PARTITIONS, (short) 1)).toList()).all().get();
        }
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8);
        SandboxModel model = SandboxModel.resolve(Optional.empty(), temp, out);

        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("application.id", "vlm-containers");
        settings.put("bootstrap.servers", KAFKA.getBootstrapServers());
        settings.put("schema.registry.url", registryUrl);
        settings.put("state.dir", temp.resolve("state").toString());
        settings.put("model.dir", model.dir().toString());
        settings.put("engine.provider", "cpu");
        settings.put("dead.letter.topic", Sandbox.DEAD_LETTER_TOPIC);
        settings.put("pipelines", "containers");
        settings.put("pipeline.containers.input.topics", Sandbox.INPUT_TOPIC);
        settings.put("pipeline.containers.output.topic", Sandbox.ANSWER_TOPIC);
        settings.put("pipeline.containers.prompt", "Describe this image in one sentence.");
        settings.put("pipeline.containers.max.new.tokens", "8");
        AppConfig config = AppConfig.from(ConfigSource.of(settings));

        InferenceEngine engine = EngineLoader.open(config.model());
        try (VlmMetrics metrics = new VlmMetrics();
             StreamsApp app = new StreamsApp(config, engine, metrics);
             AnswerWatcher watcher = new AnswerWatcher(clients, Sandbox.ANSWER_TOPIC, Sandbox.DEAD_LETTER_TOPIC, out)) {
            app.start();
            watcher.start();
            int sent = SampleProducer.send(clients, Sandbox.INPUT_TOPIC, 1);
            watcher.sent(sent);

            assertThat(watcher.awaitSettled(Duration.ofMinutes(5))).as(console.toString(StandardCharsets.UTF_8)).isTrue();
            Progress progress = watcher.progress();
            System.out.println(console.toString(StandardCharsets.UTF_8));
            assertThat(progress.answered()).isEqualTo(SampleImages.NAMES.size());
            assertThat(progress.deadLettered()).isZero();
            assertThat(metrics.scrape()).contains("vlm_records_out_total{pipeline=\"containers\"} 5.0");
        }
    }

    @Test
    void clientSpeaksConfluentsApi() {
        try (var client = new HttpSchemaRegistryClient(RegistryClientConfig.of(registryUrl()))) {
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
            serde.configure(Map.of("schema.registry.url", registryUrl()), false);
            byte[] bytes = serde.serializer().serialize("tc-serde", event);
            try (var client = new HttpSchemaRegistryClient(RegistryClientConfig.of(registryUrl()))) {
                assertThat(ConfluentWireFormat.schemaId("tc-serde", bytes)).isEqualTo(client.getLatest("tc-serde-value").id());
            }
            assertThat(serde.deserializer().deserialize("tc-serde", bytes)).isEqualTo(event);
        }
    }
}
