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
 *
 * <p>Every kill lands while events are unanswered, on any machine: each run gets its own share of
 * the events, the first part when it starts and the rest just before it is killed, once it has
 * committed answers. That the kill landed is then checked, not assumed: answers only ever grow, so
 * fewer answers than events sent, read after the kill, were fewer at the kill too.
 */
class CrashTest {

    private static final int KILLS = 5;
    /** Events each killed run gets; the run after the last kill gets none and answers what is left. */
    private static final int PER_RUN = 100;
    private static final int EVENTS = KILLS * PER_RUN;
    /**
     * The part of a run's share sent just before its kill, the rest having gone out when it started.
     * The kill follows the send's acknowledgement at once, long before 20 events can be fetched,
     * answered and committed.
     */
    private static final int TAIL = 20;
    /** The run during which the broker is killed and restarted. */
    private static final int BROKER_RESTART_RUN = 2;
    /** Sent once the broker is back, so the application provably answers events after the restart. */
    private static final int AFTER_RESTART = 20;

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
            Path model = TinyModelFolder.get();

            Random random = new Random(42);
            int sent = 0;
            int kills = 0;
            int brokerRestarts = 0;
            try (CommittedReader reader = new CommittedReader(kafka.clientProperties(), registry.url(), "crash-out")) {
                for (int run = 0; run < KILLS; run++) {
                    int shareEnd = (run + 1) * PER_RUN;
                    int head = PER_RUN - TAIL - (run == BROKER_RESTART_RUN ? AFTER_RESTART : 0);
                    Process app = startApp(kafka, registry, model, run);
                    int before = reader.count();
                    io.sendRaw("crash-in", records.subList(sent, sent + head));
                    sent += head;
                    // Kill once this run has committed some answers: it is then busy with later batches.
                    // Reachable: at least head (60 or more) events are unanswered now.
                    int target = before + 20 + random.nextInt(30);
                    assertThat(reader.awaitCount(target, Duration.ofSeconds(90)))
                            .as("run %d committed answers (%d of %d)", run, reader.count(), target).isTrue();
                    if (run == BROKER_RESTART_RUN) {
                        // The broker dies under the running application (open transactions, fetches in flight)
                        // and comes back on the same ports and data; the application must carry on by itself.
                        kafka.killBroker();
                        kafka.restartBroker();
                        int afterRestart = reader.count();
                        io.sendRaw("crash-in", records.subList(sent, sent + AFTER_RESTART));
                        sent += AFTER_RESTART;
                        boolean carriedOn = reader.awaitCount(afterRestart + 10, Duration.ofSeconds(120));
                        if (carriedOn) {
                            brokerRestarts++;
                        }
                        System.out.printf("CRASH TEST: broker killed and restarted after %d answers; %d answers %s since%n",
                                afterRestart, reader.count() - afterRestart, carriedOn ? "committed" : "NOT committed");
                    }
                    Thread.sleep(random.nextInt(150));
                    // the rest of the share goes out right before the kill: it cannot all be answered by then
                    io.sendRaw("crash-in", records.subList(sent, shareEnd));
                    sent = shareEnd;
                    app.destroyForcibly().waitFor();
                    // a commit the coordinator had already taken may still become visible; then the count holds
                    reader.awaitQuiet(Duration.ofSeconds(2));
                    int answered = reader.count();
                    if (answered < sent) {
                        kills++;
                    }
                    System.out.printf("CRASH TEST: run %d killed with %d of %d events answered%n", run, answered, sent);
                }
                Process last = startApp(kafka, registry, model, KILLS);
                // a generous limit: on a loaded machine the last run answers a few hundred events
                reader.awaitCount(EVENTS, Duration.ofSeconds(600));
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
                assertThat(kills).as("kills that landed while events were unanswered").isEqualTo(KILLS);
                assertThat(brokerRestarts).as("broker restarts the application answered events after").isEqualTo(1);
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
