package io.vlmstreams.cli;

import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlmstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.vlmstreams.devstack.registry.TestSchemaRegistryServer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code produce} cycles through its images with fresh event ids and reports only acknowledged sends;
 * {@code tail --json} prints every field.
 */
class ProduceTailCommandTest {

    @Test
    void producedEventsCanBeTailedAsJsonLines() throws Exception {
        try (EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster().start();
             TestSchemaRegistryServer registry = TestSchemaRegistryServer.start()) {
            kafka.createTopic("cli-in", 1);
            Path images = Path.of(System.getProperty("vlm.fixtures.dir", "../fixtures"), "upstream", "images");
            String produced = Cli.run("produce", "--bootstrap", kafka.bootstrapServers(), "--registry", registry.url(),
                    "--topic", "cli-in", "--image", images.resolve("green_palette.png").toString(),
                    images.resolve("text.png").toString(), "--source", "cam-1", "--count", "5");
            assertThat(produced).contains("sent 5 events").contains("5 acknowledged; source_id cam-1");
            List<String> eventLines = produced.lines().filter(l -> l.matches("[0-9a-f-]{36}  .*")).toList();
            assertThat(eventLines).hasSize(5);
            assertThat(eventLines.get(0)).endsWith("  " + images.resolve("green_palette.png"));
            assertThat(eventLines.get(1)).endsWith("  " + images.resolve("text.png"));

            String tailed = Cli.run("tail", "--bootstrap", kafka.bootstrapServers(), "--registry", registry.url(),
                    "--topic", "cli-in", "--from-beginning", "--count", "5", "--timeout", "20", "--json");
            List<String> lines = tailed.lines().filter(l -> l.startsWith("{")).toList();
            assertThat(lines).hasSize(5);
            ObjectMapper json = new ObjectMapper();
            List<JsonNode> nodes = lines.stream().map(l -> {
                try {
                    return json.readTree(l);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).toList();
            assertThat(nodes).allSatisfy(n -> {
                assertThat(n.get("_schema").asText()).isEqualTo("io.vlmstreams.schemas.ImageEvent");
                assertThat(n.get("source_id").asText()).isEqualTo("cam-1");
                assertThat(n.get("image").get("media_type").asText()).isEqualTo("image/png");
                assertThat(n.get("attributes").get("file").asText()).startsWith(images.toString());
            });
            assertThat(nodes.stream().map(n -> n.get("event_id").asText()).distinct()).hasSize(5);
            // The ids printed are the ids sent, each with its file.
            assertThat(nodes.stream().map(n -> n.get("event_id").asText() + "  " + n.get("attributes").get("file").asText()))
                    .containsExactlyElementsOf(eventLines);

            Cli.run("produce", "--bootstrap", kafka.bootstrapServers(), "--registry", registry.url(),
                    "--topic", "cli-in", "--image", images.resolve("text.png").toString());
            String last = Cli.run("tail", "--bootstrap", kafka.bootstrapServers(), "--registry", registry.url(),
                    "--topic", "cli-in", "--from-beginning", "--count", "6", "--timeout", "20").lines()
                    .filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow();
            assertThat(json.readTree(last).get("source_id").asText()).isEqualTo(HostName.get());
        }
    }

    @Test
    void produceToAMissingTopicFailsNamingTheTopic() throws Exception {
        try (EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster().start();
             TestSchemaRegistryServer registry = TestSchemaRegistryServer.start()) {
            Path image = Path.of(System.getProperty("vlm.fixtures.dir", "../fixtures"), "upstream", "images", "text.png");
            Cli.Result result = Cli.execute("produce", "--bootstrap", kafka.bootstrapServers(), "--registry", registry.url(),
                    "--topic", "no-such-topic", "--image", image.toString(), "--count", "3", "--timeout", "2");

            // The start-up check refuses before the first send, instead of a wait for the metadata.
            assertThat(result.exitCode()).isEqualTo(3);
            assertThat(result.out()).doesNotContain("sent");
            assertThat(result.err().strip()).startsWith("error: topic 'no-such-topic' (--topic) does not exist");
        }
    }
}
