package io.vlmstreams.topology.it;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.vlmstreams.devstack.kafka.KafkaClusterOptions;
import io.vlmstreams.devstack.kafka.MultiBrokerKafkaCluster;
import io.vlmstreams.devstack.registry.TestSchemaRegistryServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failover across instances and brokers: a 3-node KRaft cluster (replication factor 3,
 * {@code min.insync.replicas=2}) and two application instances (child JVMs, one consumer group) on
 * the same input. Mid-stream one instance is SIGKILLed and one broker is stopped; the survivor takes
 * over every task on the two brokers left, and a read_committed consumer sees every event exactly
 * once. Two runs on the same cluster: without standby replicas, then with {@code num.standby.replicas=1}
 * (the survivor already holds a warm copy of the killed instance's stores).
 */
class FailoverTest {

    private static final int FIRST = 40;
    private static final int SECOND = 40;

    @TempDir
    Path temp;

    @Test
    void theSurvivingInstanceTakesOverAndNothingIsLostOrDuplicated() throws Exception {
        long began = System.nanoTime();
        // the coordinator looks for timed-out transactions every second (10 s by default): the killed
        // instance's open transaction is aborted soon after producer.transaction.timeout.ms
        KafkaClusterOptions options = KafkaClusterOptions.defaults().withMaxHeap("384m")
                .withBrokerProperty("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");
        try (MultiBrokerKafkaCluster kafka = new MultiBrokerKafkaCluster(3, options).start();
             TestSchemaRegistryServer registry = TestSchemaRegistryServer.start()) {
            System.out.printf("FAILOVER TEST: 3-node cluster up in %.1f s%n", (System.nanoTime() - began) / 1e9);
            Path model = TinyModelFolder.get();
            run(kafka, registry, model, 0, 1);
            // the stopped node comes back; the second run stops another one
            kafka.restartBroker(1);
            run(kafka, registry, model, 1, 2);
            System.out.printf("FAILOVER TEST: both runs in %.1f s%n", (System.nanoTime() - began) / 1e9);
        }
    }

    private void run(MultiBrokerKafkaCluster kafka, TestSchemaRegistryServer registry, Path model, int standbys,
                     int brokerToStop) throws Exception {
        long began = System.nanoTime();
        String in = "fail-in-" + standbys;
        String out = "fail-out-" + standbys;
        kafka.createTopic(in, 6);
        kafka.createTopic(out, 6);
        kafka.createTopic("fail-dlq-" + standbys, 1);
        KafkaIo io = new KafkaIo(kafka.clientProperties(), registry.url());
        byte[] image = KafkaIo.fixtureImage("green_palette.png");
        List<Map.Entry<String, byte[]>> records = new ArrayList<>();
        for (int i = 0; i < FIRST + SECOND; i++) {
            records.add(Map.entry("key-" + (i % 12), io.serialize(in, KafkaIo.inline("fo-" + standbys + "-" + i, "src", image))));
        }
        Process a = startApp(kafka, registry, model, standbys, "a");
        Process b = startApp(kafka, registry, model, standbys, "b");
        try (CommittedReader reader = new CommittedReader(kafka.clientProperties(), registry.url(), out)) {
            io.sendRaw(in, records.subList(0, FIRST));
            assertThat(reader.awaitCount(10, Duration.ofSeconds(180))).as("answers before the failures").isTrue();

            a.destroyForcibly().waitFor();
            int atKill = reader.count();
            kafka.stopBroker(brokerToStop);
            io.sendRaw(in, records.subList(FIRST, FIRST + SECOND));
            long failed = System.nanoTime();
            boolean all = reader.awaitCount(FIRST + SECOND, Duration.ofSeconds(240));
            double takeOver = (System.nanoTime() - failed) / 1e9;
            reader.awaitQuiet(Duration.ofSeconds(3));
            assertThat(b.isAlive()).as("the surviving instance runs").isTrue();
            b.destroy();
            b.waitFor();

            List<String> ids = reader.eventIds(out);
            Set<String> distinct = new HashSet<>(ids);
            int missing = 0;
            for (int i = 0; i < FIRST + SECOND; i++) {
                if (!distinct.contains("fo-" + standbys + "-" + i)) {
                    missing++;
                }
            }
            System.out.printf("FAILOVER TEST: num.standby.replicas=%d events=%d answered_at_kill=%d answers=%d duplicates=%d "
                            + "missing=%d (instance a SIGKILLed, broker %d stopped); survivor answered the rest in %.1f s; run %.1f s%n",
                    standbys, FIRST + SECOND, atKill, ids.size(), ids.size() - distinct.size(), missing, brokerToStop + 1,
                    takeOver, (System.nanoTime() - began) / 1e9);
            assertThat(all).as("every event answered after the failures").isTrue();
            assertThat(atKill).as("the kill landed while events were unanswered").isLessThan(FIRST + SECOND);
            assertThat(ids).hasSize(FIRST + SECOND).doesNotHaveDuplicates();
            assertThat(missing).isZero();
        } finally {
            a.destroyForcibly();
            b.destroyForcibly();
        }
    }

    private Process startApp(MultiBrokerKafkaCluster kafka, TestSchemaRegistryServer registry, Path model, int standbys,
                             String instance) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx640m", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), "io.vlmstreams.topology.app.StreamsMain",
                "bootstrap.servers=" + kafka.bootstrapServers(), "schema.registry.url=" + registry.url(),
                "model.dir=" + model, "pipelines=main", "pipeline.main.prompt=Describe this image.",
                "pipeline.main.input.topics=fail-in-" + standbys, "pipeline.main.output.topic=fail-out-" + standbys,
                "dead.letter.topic=fail-dlq-" + standbys, "state.dir=" + temp.resolve("state-" + standbys + "-" + instance),
                "application.id=failover-" + standbys, "metrics.port=0", "engine.provider=cpu", "engine.intra.op.threads=1",
                "batch.max.size=4", "batch.linger.ms=30", "pipeline.main.max.new.tokens=3",
                "num.standby.replicas=" + standbys,
                // Under exactly_once_v2 the survivor cannot fence the killed instance's transactional id: its
                // open transaction holds back read_committed readers (and the offsets of its partitions)
                // until the transaction times out, so this bounds the takeover (the app's default is 300 s).
                "producer.transaction.timeout.ms=10000",
                // a dead member would otherwise hold its tasks for the default 45 s
                "session.timeout.ms=6000", "heartbeat.interval.ms=1500"));
        File log = temp.resolve("app-" + standbys + "-" + instance + ".log").toFile();
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
    }
}
