package io.vlmstreams.topology.it;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import io.vlmstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.vlmstreams.devstack.registry.TestSchemaRegistryServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exactly-once under crashes: the application runs as a child JVM ({@code Main run ...}) and is
 * SIGKILLed several times while it is answering batches, then restarted on the same state
 * directory; in the middle of one run the broker itself is SIGKILLed and restarted under the
 * running application. A read_committed consumer must see every event exactly once.
 */
class CrashTest {

    private static final int EVENTS = 500;
    private static final int KILLS = 5;
    /** The run during which the broker is killed and restarted. */
    private static final int BROKER_RESTART_RUN = 2;

    @TempDir
    Path temp;

    @Test
    void killingTheApplicationAndRestartingTheBrokerMidStreamLosesAndDuplicatesNothing() throws Exception {
        try (EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster().start();
             TestSchemaRegistryServer registry = TestSchemaRegistryServer.start()) {
            kafka.createTopic("crash-in", 3);
            kafka.createTopic("crash-out", 3);
            kafka.createTopic("crash-dlq", 1);
            KafkaIo io = new KafkaIo(kafka.clientProperties(), registry.url());
            byte[] image = KafkaIo.fixtureImage("green_palette.png");
            List<Map.Entry<String, byte[]>> records = new ArrayList<>();
            for (int i = 0; i < EVENTS; i++) {
                records.add(Map.entry("key-" + (i % 7), io.serialize("crash-in", KafkaIo.inline("ev-" + i, "src", image))));
            }
            io.sendRaw("crash-in", records);
            Path model = TinyModelFolder.get();

            Random random = new Random(42);
            int kills = 0;
            int brokerRestarts = 0;
            try (CommittedReader reader = new CommittedReader(kafka.clientProperties(), registry.url(), "crash-out")) {
                for (int run = 0; run < KILLS; run++) {
                    Process app = startApp(kafka, registry, model, run);
                    int before = reader.count();
                    // Kill once this run has committed some answers: it is then busy with later batches.
                    boolean progressed = reader.awaitCount(Math.min(EVENTS, before + 20 + random.nextInt(30)), Duration.ofSeconds(90));
                    if (run == BROKER_RESTART_RUN && progressed) {
                        // The broker dies under the running application (open transactions, fetches in flight)
                        // and comes back on the same ports and data; the application must carry on by itself.
                        kafka.killBroker();
                        kafka.restartBroker();
                        brokerRestarts++;
                        int afterRestart = reader.count();
                        progressed = reader.awaitCount(Math.min(EVENTS, afterRestart + 20), Duration.ofSeconds(120));
                        System.out.printf("CRASH TEST: broker killed and restarted after %d answers; %d answers %s since%n",
                                afterRestart, reader.count() - afterRestart, progressed ? "committed" : "NOT committed");
                    }
                    Thread.sleep(random.nextInt(150));
                    app.destroyForcibly().waitFor();
                    if (progressed && reader.count() < EVENTS) {
                        kills++;
                    }
                }
                Process last = startApp(kafka, registry, model, KILLS);
                reader.awaitCount(EVENTS, Duration.ofSeconds(120));
                reader.awaitQuiet(Duration.ofSeconds(3));
                last.destroy();
                last.waitFor();

                List<String> ids = reader.eventIds("crash-out");
                Set<String> distinct = new HashSet<>(ids);
                int duplicates = ids.size() - distinct.size();
                int missing = 0;
                for (int i = 0; i < EVENTS; i++) {
                    if (!distinct.contains("ev-" + i)) {
                        missing++;
                    }
                }
                System.out.printf("CRASH TEST: events=%d kills=%d broker_restarts=%d answers=%d duplicates=%d missing=%d%n",
                        EVENTS, kills, brokerRestarts, ids.size(), duplicates, missing);
                assertThat(kills).as("kills that landed while answers were still being produced").isGreaterThanOrEqualTo(4);
                assertThat(brokerRestarts).as("broker restarts while the application was answering").isEqualTo(1);
                assertThat(duplicates).isZero();
                assertThat(missing).isZero();
                assertThat(ids).hasSize(EVENTS);
            }
        }
    }

    private Process startApp(EmbeddedKafkaCluster kafka, TestSchemaRegistryServer registry, Path model, int run)
            throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx768m", "-cp", System.getProperty("java.class.path"),
                "io.vlmstreams.topology.app.StreamsMain",
                "bootstrap.servers=" + kafka.bootstrapServers(), "schema.registry.url=" + registry.url(),
                "model.dir=" + model.toString(), "pipelines=main", "pipeline.main.prompt=Describe this image.", "pipeline.main.input.topics=crash-in", "pipeline.main.output.topic=crash-out",
                "dead.letter.topic=crash-dlq", "state.dir=" + temp.resolve("state").toString(),
                "application.id=crash-test",
                // A free metrics port: the default 9404 may be taken by another run on this machine.
                "metrics.port=0",
                "engine.provider=cpu", "batch.max.size=4", "batch.linger.ms=30",
                "pipeline.main.max.new.tokens=4",
                // A dead member would otherwise hold the group for the default 45 s after each kill.
                "session.timeout.ms=6000", "heartbeat.interval.ms=1500"));
        File log = temp.resolve("app-run-" + run + ".log").toFile();
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
    }
}
