package io.vlmstreams.topology.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vlmstreams.topology.config.AppConfig;
import io.vlmstreams.topology.config.PipelineConfig;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * docker-compose.yml holds what the README promises (services, images, ports, volumes, profiles,
 * the GPU reservation) and agrees with deploy/application.properties, which the application's own
 * configuration parser accepts with the environment each app service sets.
 */
class ComposeFileTest {

    private static Path root;
    private static JsonNode compose;
    private static JsonNode services;

    @BeforeAll
    static void read() throws IOException {
        root = RepositoryFiles.root();
        compose = readCompose(root.resolve("docker-compose.yml"));
        services = compose.get("services");
    }

    @Test
    void definesTheServicesTheReadmeNames() {
        assertThat(names(services)).containsExactlyInAnyOrder(
                "kafka", "schema-registry", "topics", "model-check", "model-check-cpu", "vlm-streams", "vlm-streams-cpu", "producer");
    }

    @Test
    void kafkaIsKraftOnThePublishedPort() {
        JsonNode kafka = services.get("kafka");
        assertThat(kafka.get("image").asText()).startsWith("apache/kafka:");
        assertThat(texts(kafka.get("ports"))).contains("29092:29092");
        JsonNode env = kafka.get("environment");
        assertThat(env.get("KAFKA_PROCESS_ROLES").asText()).isEqualTo("broker,controller");
        assertThat(env.get("KAFKA_ADVERTISED_LISTENERS").asText()).contains("kafka:9092", "localhost:29092");
        // A single broker: the transaction log must fit on it or exactly-once cannot start.
        assertThat(env.get("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR").asInt()).isEqualTo(1);
        assertThat(env.get("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR").asInt()).isEqualTo(1);
        assertThat(kafka.has("healthcheck")).isTrue();
    }

    @Test
    void schemaRegistryIsConfluentsOn8081() {
        JsonNode registry = services.get("schema-registry");
        assertThat(registry.get("image").asText()).startsWith("confluentinc/cp-schema-registry:");
        assertThat(texts(registry.get("ports"))).contains("8081:8081");
        assertThat(registry.get("environment").get("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS").asText())
                .endsWith("kafka:9092");
        assertThat(registry.get("depends_on").get("kafka").get("condition").asText()).isEqualTo("service_healthy");
    }

    @Test
    void gpuServiceReservesAnNvidiaGpu() {
        JsonNode gpu = services.get("vlm-streams");
        assertThat(texts(gpu.get("profiles"))).containsExactly("gpu");
        JsonNode device = gpu.at("/deploy/resources/reservations/devices/0");
        assertThat(device.get("driver").asText()).isEqualTo("nvidia");
        assertThat(texts(device.get("capabilities"))).contains("gpu");
        assertThat(gpu.at("/environment/VLM_ENGINE_PROVIDER").asText()).isEqualTo("cuda");
    }

    @Test
    void cpuServiceHasItsProfileAndNoGpu() {
        JsonNode cpu = services.get("vlm-streams-cpu");
        assertThat(texts(cpu.get("profiles"))).containsExactly("cpu");
        assertThat(cpu.has("deploy")).isFalse();
        assertThat(cpu.at("/environment/VLM_ENGINE_PROVIDER").asText()).isEqualTo("cpu");
    }

    @Test
    void appServicesMountModelsAndConfigAndPublishMetrics() {
        for (String name : List.of("vlm-streams", "vlm-streams-cpu")) {
            JsonNode app = services.get(name);
            assertThat(app.get("image").asText()).as(name).isEqualTo(name.equals("vlm-streams") ? "vlm-streams:local" : "vlm-streams:local-cpu");
            assertThat(app.at("/build/context").asText()).as(name).isEqualTo(".");
            assertThat(texts(app.get("volumes"))).as(name).contains(
                    "./models:/models:ro",
                    "./deploy/application.properties:/etc/vlm-streams/application.properties:ro");
            assertThat(texts(app.get("ports"))).as(name).contains("9404:9404");
            assertThat(app.at("/depends_on/topics/condition").asText()).as(name)
                    .isEqualTo("service_completed_successfully");
        }
        assertThat(names(compose.get("volumes"))).contains("vlm-state");
    }

    @Test
    void producerSendsTheShippedSamples() {
        JsonNode producer = services.get("producer");
        assertThat(texts(producer.get("profiles"))).containsExactlyInAnyOrder("gpu", "cpu");
        assertThat(texts(producer.get("volumes")))
                .contains("./devstack/src/main/resources/io/vlmstreams/devstack/samples:/samples:ro");
        List<String> command = texts(producer.get("command"));
        assertThat(command).startsWith("produce");
        assertThat(command).containsSubsequence("--topic", "images.in").containsSubsequence("--dir", "/samples");
        assertThat(root.resolve("devstack/src/main/resources/io/vlmstreams/devstack/samples/chelsea.png")).isRegularFile();
    }

    @Test
    void applicationPropertiesParseWithEachServicesEnvironment() {
        for (String name : List.of("vlm-streams", "vlm-streams-cpu")) {
            Map<String, String> env = new ObjectMapper().convertValue(services.get(name).get("environment"),
                    new com.fasterxml.jackson.core.type.TypeReference<Map<String, String>>() { });
            AppConfig config = AppConfig.load(root.resolve("deploy/application.properties"), env);

            assertThat(config.model().provider()).isEqualTo(name.equals("vlm-streams") ? "cuda" : "cpu");
            assertThat(config.model().dir()).isEqualTo(Path.of("/models/LFM2-VL-450M-ONNX"));
            assertThat(config.bootstrapServers()).isEqualTo("kafka:9092");
            assertThat(config.registryUrl()).isEqualTo("http://schema-registry:8081");
            assertThat(config.metricsPort()).isEqualTo(9404);
            assertThat(config.pipelines()).extracting(PipelineConfig::name).containsExactly("moderation", "camera");
            // Whatever the parser did not consume goes to Kafka: it must be a real Kafka setting, not a typo.
            assertThat(config.kafkaSettings().keySet()).allSatisfy(key -> assertThat(KAFKA_KEYS).contains(key));
        }
    }

    @Test
    void topicsServiceCreatesEveryTopicTheConfigurationUses() {
        AppConfig config = AppConfig.load(root.resolve("deploy/application.properties"), Map.of());
        String script = String.join("\n", texts(services.get("topics").get("command")));
        Set<String> topics = new HashSet<>();
        config.pipelines().forEach(p -> {
            topics.addAll(p.inputTopics());
            topics.add(p.outputTopic());
        });
        topics.add(config.deadLetterTopic());
        assertThat(topics).allSatisfy(topic -> assertThat(script).contains(" " + topic + ":"));
        assertThat(services.get("topics").get("image").asText()).isEqualTo(services.get("kafka").get("image").asText());
    }

    private static final Set<String> KAFKA_KEYS = kafkaKeys();

    /**
     * The compose file as a tree with anchors and merge keys ({@code <<: *app}) resolved, as Compose
     * resolves them. Jackson's YAML parser leaves a merge key as the anchor's name, so the document is
     * composed by SnakeYAML (the engine under jackson-dataformat-yaml) and handed to Jackson as a tree.
     */
    static JsonNode readCompose(Path file) throws IOException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        try (Reader reader = Files.newBufferedReader(file)) {
            Object document = new Yaml(new SafeConstructor(options)).load(reader);
            JsonNode tree = new ObjectMapper().valueToTree(document);
            // Sanity: the same file through Jackson's own YAML parser, so a syntax Jackson rejects fails here too.
            new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
            return tree;
        }
    }

    private static Set<String> kafkaKeys() {
        Set<String> keys = new HashSet<>(StreamsConfig.configDef().names());
        keys.addAll(ProducerConfig.configNames());
        keys.addAll(ConsumerConfig.configNames());
        keys.addAll(AdminClientConfig.configNames());
        return keys;
    }

    private static List<String> names(JsonNode object) {
        List<String> out = new ArrayList<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
