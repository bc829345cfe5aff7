package io.vlmstreams.cli;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.vlmstreams.devstack.kafka.EmbeddedKafkaCluster;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code topics create} against a real broker: partitions, replication, 10 MiB messages by default, re-runs harmless. */
class TopicsCommandTest {

    @Test
    void createsTopicsWithRoomForPhotosAndLeavesExistingOnesAlone() throws Exception {
        try (EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster().start()) {
            String out = Cli.run("topics", "create", "--bootstrap", kafka.bootstrapServers(), "tc-in", "tc-out",
                    "--partitions", "3", "--replication", "1", "--config", "retention.ms=3600000");
            System.out.print(out);
            assertThat(out).contains("created topic tc-in (3 partitions, replication 1, max.message.bytes=10485760, retention.ms=3600000)")
                    .contains("created topic tc-out");

            Map<String, TopicDescription> described = kafka.admin().describeTopics(List.of("tc-in", "tc-out"))
                    .allTopicNames().get(30, TimeUnit.SECONDS);
            assertThat(described.get("tc-in").partitions()).hasSize(3);
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "tc-in");
            Config config = kafka.admin().describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
            assertThat(config.get("max.message.bytes").value()).isEqualTo("10485760");
            assertThat(config.get("retention.ms").value()).isEqualTo("3600000");

            String again = Cli.run("topics", "create", "--bootstrap", kafka.bootstrapServers(), "tc-in", "tc-dlq");
            assertThat(again).contains("topic tc-in already exists; left as it is")
                    .contains("created topic tc-dlq (the broker's default partitions, the broker's default replication, "
                            + "max.message.bytes=10485760)");

            Cli.Result bad = Cli.execute("topics", "create", "--bootstrap", kafka.bootstrapServers(), "tc-x", "--config", "retention");
            assertThat(bad.exitCode()).isEqualTo(2);
            assertThat(bad.err().strip()).isEqualTo("error: --config expects key=value, got 'retention'");
        }
    }

    @Test
    void aDeadBrokerIsOneLine() throws Exception {
        String dead = "127.0.0.1:" + FailFastTest.freePort();
        Cli.Result result = Cli.execute("topics", "create", "--bootstrap", dead, "t");
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.err().strip()).isEqualTo("error: no Kafka broker answers at " + dead
                + " (nothing accepts connections there): check bootstrap.servers and that the broker is up");
    }
}
