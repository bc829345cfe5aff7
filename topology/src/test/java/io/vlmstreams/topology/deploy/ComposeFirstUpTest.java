package io.vlmstreams.topology.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.vlmstreams.topology.app.ModelCheck;
import io.vlmstreams.topology.config.AppConfig;
import io.vlmstreams.topology.ops.HealthProbe;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the compose file needs to work on the first {@code docker compose up} (read, as no Docker engine runs
 * the suite): the broker writes where its volume is, every long-running service has a healthcheck (the app's
 * through /health/ready), photos fit end to end, an empty ./models stops `up` with one line, the CPU profile
 * builds the CPU image.
 */
class ComposeFirstUpTest {

    private static final long TEN_MIB = 10L << 20;
    private static JsonNode services;

    @BeforeAll
    static void read() throws IOException {
        services = ComposeFileTest.readCompose(RepositoryFiles.root().resolve("docker-compose.yml")).get("services");
    }

    @Test
    void kafkaWritesIntoItsDataVolume() {
        JsonNode kafka = services.get("kafka");
        String logDirs = kafka.at("/environment/KAFKA_LOG_DIRS").asText();
        assertThat(logDirs).isEqualTo("/var/lib/kafka/data");
        assertThat(texts(kafka.get("volumes"))).contains("kafka-data:" + logDirs);
        // a fixed cluster id, so the formatted volume is reused after down/up
        assertThat(kafka.at("/environment/CLUSTER_ID").asText()).isNotBlank();
    }

    @Test
    void everyLongRunningServiceHasAHealthcheckAndOneShotsDoNotRestart() {
        services.fields().forEachRemaining(e -> {
            JsonNode service = e.getValue();
            if ("no".equals(service.path("restart").asText())) {
                return;
            }
            assertThat(service.has("healthcheck")).as(e.getKey() + " has a healthcheck").isTrue();
        });
        for (String oneShot : List.of("topics", "model-check", "model-check-cpu", "producer")) {
            assertThat(services.at("/" + oneShot + "/restart").asText()).as(oneShot).isEqualTo("no");
        }
    }

    @Test
    void theAppIsHealthyOnlyWhenReady() {
        for (String name : List.of("vlm-streams", "vlm-streams-cpu")) {
            List<String> test = texts(services.at("/" + name + "/healthcheck/test"));
            assertThat(test).as(name).startsWith("CMD", "java")
                    .contains(HealthProbe.class.getName(), "/app/vlm-streams-app.jar", "http://127.0.0.1:9404/health/ready");
            assertThat(services.at("/" + name + "/healthcheck/start_period").asText()).as(name).isNotBlank();
        }
    }

    @Test
    void photosUpToTenMibFitBrokerTopicsAndProducer() {
        JsonNode kafka = services.at("/kafka/environment");
        assertThat(kafka.get("KAFKA_MESSAGE_MAX_BYTES").asLong()).isEqualTo(TEN_MIB);
        assertThat(kafka.get("KAFKA_REPLICA_FETCH_MAX_BYTES").asLong()).isEqualTo(TEN_MIB);
        JsonNode topics = services.get("topics");
        assertThat(topics.at("/environment/MAX_MESSAGE_BYTES").asLong()).isEqualTo(TEN_MIB);
        String script = String.join("\n", texts(topics.get("command")));
        assertThat(script).contains("--config \"max.message.bytes=$$MAX_MESSAGE_BYTES\"");
        // the input topics get the size; answers and dead letters are small
        AppConfig config = AppConfig.load(RepositoryFiles.root().resolve("deploy/application.properties"), Map.of());
        config.pipelines().forEach(p -> p.inputTopics().forEach(t -> assertThat(script).contains(" " + t + ":6:in ")));
        assertThat(texts(services.at("/producer/command"))).containsSubsequence("--set", "max.request.size=" + TEN_MIB);
        // the application's producer writes inline images to its changelogs: its limit is at least the topics'
        assertThat((long) config.changelogMaxMessageBytes()).isGreaterThanOrEqualTo(TEN_MIB);
    }

    @Test
    void theAppWaitsForAModelCheckThatReadsItsSettings() {
        for (String[] pair : List.of(new String[] {"vlm-streams", "model-check"}, new String[] {"vlm-streams-cpu", "model-check-cpu"})) {
            JsonNode app = services.get(pair[0]);
            JsonNode check = services.get(pair[1]);
            assertThat(app.at("/depends_on/" + pair[1] + "/condition").asText()).isEqualTo("service_completed_successfully");
            assertThat(texts(check.get("entrypoint"))).contains(ModelCheck.class.getName());
            assertThat(texts(check.get("command"))).containsExactly("--config", "/etc/vlm-streams/application.properties");
            assertThat(check.get("image").asText()).isEqualTo(app.get("image").asText());
            assertThat(check.get("environment")).isEqualTo(app.get("environment"));
            assertThat(texts(check.get("volumes"))).contains("./models:/models:ro",
                    "./deploy/application.properties:/etc/vlm-streams/application.properties:ro");
            assertThat(texts(check.get("profiles"))).isEqualTo(texts(app.get("profiles")));
        }
    }

    @Test
    void theCpuProfileBuildsTheCpuImage() {
        for (String name : List.of("vlm-streams-cpu", "model-check-cpu")) {
            assertThat(services.at("/" + name + "/build/args/MAVEN_PROFILES").asText()).as(name).isEqualTo("-Pcpu");
            assertThat(services.at("/" + name + "/build/args/RUNTIME_BASE").asText()).as(name).startsWith("ubuntu:");
        }
        assertThat(services.at("/vlm-streams/build/args").isMissingNode()).isTrue();
        assertThat(services.at("/producer/build/target").asText()).isEqualTo("cli");
        assertThat(services.at("/producer/build/args/MAVEN_PROFILES").asText()).isEqualTo("-Pcpu");
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
