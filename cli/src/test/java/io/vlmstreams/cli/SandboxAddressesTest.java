package io.vlmstreams.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.vlmstreams.cli.sandbox.SandboxPorts;
import io.vlmstreams.cli.sandbox.SandboxServices;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sandbox's addresses stay put (the ports asked for, a free one with one line when taken), its
 * extra topics get room for photos, and a wrong {@code --model} is refused before Kafka starts.
 */
class SandboxAddressesTest {

    @TempDir
    Path temp;

    @Test
    void aTakenPortFallsBackToAFreeOneWithOneLine() throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8);
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            assertThat(SandboxPorts.choose("Kafka", "--kafka-port", taken.getLocalPort(), out)).isZero();
        }
        assertThat(console.toString(StandardCharsets.UTF_8).strip()).matches(
                "sandbox: port \\d+ for Kafka is taken; using a free port instead \\(--kafka-port P chooses another\\)");
        int free = FailFastTest.freePort();
        assertThat(SandboxPorts.choose("Kafka", "--kafka-port", free, out)).isEqualTo(free);
    }

    @Test
    void theServicesListenWhereAskedAndExtraTopicsTakePhotos() throws Exception {
        int kafkaPort = FailFastTest.freePort();
        int registryPort = FailFastTest.freePort();
        try (SandboxServices services = SandboxServices.start(kafkaPort, registryPort)) {
            assertThat(services.bootstrapServers()).endsWith(":" + kafkaPort);
            assertThat(services.registryUrl()).endsWith(":" + registryPort);
            services.createTopics(List.of("extra-a"), 2, TopicsCommand.DEFAULT_CONFIGS);
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", services.bootstrapServers()))) {
                ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "extra-a");
                assertThat(admin.describeConfigs(List.of(topic)).all().get(30, TimeUnit.SECONDS).get(topic)
                        .get("max.message.bytes").value()).isEqualTo("10485760");
            }
        }
    }

    @Test
    void aWrongModelIsRefusedBeforeKafkaStarts() throws Exception {
        Path notAModel = Files.createDirectories(temp.resolve("not-a-model"));
        long start = System.nanoTime();
        Cli.Result result = Cli.execute("sandbox", "--model", notAModel.toString(), "--once", "--kafka-port", "0",
                "--registry-port", "0", "--metrics-port", "0");
        System.out.printf("sandbox --model BAD: exit %d after %d ms: %s%n", result.exitCode(),
                (System.nanoTime() - start) / 1_000_000, result.err().strip());
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err().strip()).isEqualTo("error: model folder " + notAModel + ": config.json not found");
        assertThat(result.out()).doesNotContain("starting Kafka");

        Cli.Result topics = Cli.execute("sandbox", "--topics", "a,b");
        assertThat(topics.exitCode()).isEqualTo(2);
        assertThat(topics.err().strip()).isEqualTo("error: --topics needs --services-only (the full sandbox makes its own topics)");
    }
}
