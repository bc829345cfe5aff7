package io.vlmstreams.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlmstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.vlmstreams.devstack.kafka.KafkaClusterOptions;
import io.vlmstreams.devstack.registry.TestSchemaRegistryServer;
import io.vlmstreams.topology.app.StreamsApp;
import io.vlmstreams.topology.config.AppConfig;
import io.vlmstreams.topology.config.ConfigSource;
import io.vlmstreams.topology.it.TestApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The application end to end against a broker that requires SASL/PLAIN and a registry that
 * requires basic auth: the Streams clients, {@code produce}'s producer, {@code tail}'s consumer and
 * every registry client get the credentials from the same pass-through settings; and no secret
 * appears in any log line written meanwhile (Kafka's own config dumps included).
 */
class SecurityTest {

    private static final String BROKER_SECRET = "broker-pw-5f1c9e";
    private static final String REGISTRY_SECRET = "registry-pw-8a2d4b";
    private static final String SSL_SECRET = "ssl-key-pw-77e0aa";

    @TempDir
    Path temp;

    @Test
    void theApplicationAndItsCommandsRunAgainstSaslAndRegistryAuthWithoutLoggingSecrets() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger kafkaLogger = (Logger) LoggerFactory.getLogger("org.apache.kafka");
        Level kafkaLevel = kafkaLogger.getLevel();
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        root.addAppender(logs);
        // Kafka clients dump their whole configuration at INFO: capture those too.
        kafkaLogger.setLevel(Level.INFO);
        try (EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster(KafkaClusterOptions.defaults().withSaslPlain("vlm", BROKER_SECRET)).start();
             TestSchemaRegistryServer registry = TestSchemaRegistryServer.builder().basicAuth("registry-user", REGISTRY_SECRET).start()) {
            kafka.createTopic("sec-in", 1);
            kafka.createTopic("sec-out", 1);
            kafka.createTopic("sec-dlq", 1);
            Map<String, String> settings = TestApp.baseSettings(kafka, registry.clientConfigs(), temp.resolve("state"), "sasl-test");
            settings.putAll(Map.of("dead.letter.topic", "sec-dlq", "pipelines", "p", "batch.linger.ms", "30",
                    "pipeline.p.input.topics", "sec-in", "pipeline.p.output.topic", "sec-out",
                    "pipeline.p.prompt", "Describe this image.", "pipeline.p.max.new.tokens", "3",
                    // ignored under SASL_PLAINTEXT, but passed through: they must be hidden like the others
                    "ssl.key.password", SSL_SECRET, "ssl.keystore.password", SSL_SECRET));
            AppConfig config = AppConfig.from(ConfigSource.of(settings));
            assertThat(config.kafkaSettings()).containsEntry("security.protocol", "SASL_PLAINTEXT")
                    .containsKey("sasl.jaas.config");
            assertThat(config.serdeConfigs()).containsEntry("basic.auth.user.info", "registry-user:" + REGISTRY_SECRET);
            assertThat(config.toString()).doesNotContain(BROKER_SECRET, REGISTRY_SECRET, SSL_SECRET).contains("[hidden]");

            List<String> clientArgs = new ArrayList<>(List.of("--bootstrap", kafka.bootstrapServers(), "--registry", registry.url()));
            kafka.clientProperties().forEach((k, v) -> clientArgs.addAll(List.of("--set", k + "=" + v)));
            registry.clientConfigs().forEach((k, v) -> clientArgs.addAll(List.of("--set", k + "=" + v)));

            try (StreamsApp app = TestApp.start(settings)) {
                List<String> produce = new ArrayList<>(List.of("produce", "--topic", "sec-in", "--source", "cam-s", "--count", "3",
                        "--image", Path.of(System.getProperty("vlm.fixtures.dir", "../fixtures"), "upstream", "images",
                                "green_palette.png").toString()));
                produce.addAll(clientArgs);
                assertThat(Cli.run(produce.toArray(String[]::new))).contains("sent 3 events to sec-in");

                List<String> tail = new ArrayList<>(List.of("tail", "--topic", "sec-out", "--from-beginning", "--count", "3",
                        "--timeout", "90"));
                tail.addAll(clientArgs);
                List<String> lines = Cli.run(tail.toArray(String[]::new)).lines().filter(l -> l.startsWith("{")).toList();
                ObjectMapper json = new ObjectMapper();
                assertThat(lines).hasSize(3);
                for (String line : lines) {
                    JsonNode answer = json.readTree(line);
                    assertThat(answer.get("_schema").asText()).isEqualTo("io.vlmstreams.schemas.Answer");
                    assertThat(answer.get("source_id").asText()).isEqualTo("cam-s");
                }
                System.out.printf("SASL TEST: 3 events produced, answered and tailed over SASL_PLAINTEXT with registry basic auth%n");
            }
        } finally {
            root.detachAppender(logs);
            kafkaLogger.setLevel(kafkaLevel);
            logs.stop();
        }
        List<String> lines = logs.list.stream().map(e -> e.getFormattedMessage()
                + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy()))).toList();
        System.out.printf("SECRETS IN LOGS: %d log lines checked, %d mention [hidden]%n", lines.size(),
                lines.stream().filter(l -> l.contains("[hidden]")).count());
        assertThat(lines).isNotEmpty();
        assertThat(lines).filteredOn(l -> l.contains("Streams settings")).singleElement()
                .satisfies(l -> assertThat(l).contains("sasl.jaas.config=[hidden]", "ssl.key.password=[hidden]"));
        assertThat(lines).filteredOn(l -> l.contains("sasl.jaas.config")).isNotEmpty();
        assertThat(lines).noneMatch(l -> l.contains(BROKER_SECRET) || l.contains(REGISTRY_SECRET) || l.contains(SSL_SECRET));
    }
}
