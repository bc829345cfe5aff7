package io.vlmstreams.topology.it;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import io.vlmstreams.testkit.kafka.EmbeddedKafkaCluster;
import io.vlmstreams.testkit.registry.TestSchemaRegistryServer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import io.vlmstreams.schemas.serde.GenericAvroSerde;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exactly-once under crashes: the application runs as a child JVM ({@code Main run ...}) and is
 * SIGKILLed several times while it is answering batches, then restarted on the same state
 * directory; a read_committed consumer must see every event exactly once.
 */
class CrashTest {

    private static final int EVENTS = 300;
    private static final int KILLS = 4;

    @TempDir
    Path temp;

    @Test
    void killingTheApplicationInTheMiddleOfBatchesLosesAndDuplicatesNothing() throws Exception {
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
            try (CommittedReader reader = new CommittedReader(kafka.clientProperties(), registry.url())) {
                for (int run = 0; run < KILLS; run++) {
                    Process app = startApp(kafka, registry, model, run);
                    int before = reader.count();
                    // Kill once this run has committed some answers: it is then busy with later batches.
                    boolean progressed = reader.awaitCount(Math.min(EVENTS, before + 20 + random.nextInt(30)), Duration.ofSeconds(90));
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

                List<String> ids = reader.eventIds();
                Set<String> distinct = new HashSet<>(ids);
                int duplicates = ids.size() - distinct.size();
                int missing = 0;
                for (int i = 0; i < EVENTS; i++) {
                    if (!distinct.contains("ev-" + i)) {
                        missing++;
                    }
                }
                System.out.printf("CRASH TEST: events=%d kills=%d answers=%d duplicates=%d missing=%d%n",
                        EVENTS, kills, ids.size(), duplicates, missing);
                assertThat(kills).as("kills that landed while answers were still being produced").isGreaterThanOrEqualTo(3);
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
                "io.vlmstreams.topology.cli.Main", "run",
                "--bootstrap", kafka.bootstrapServers(), "--registry", registry.url(),
                "--model", model.toString(), "--input", "crash-in", "--output", "crash-out",
                "--dead-letter", "crash-dlq", "--state-dir", temp.resolve("state").toString(),
                "--application-id", "crash-test",
                // A free metrics port: the default 9404 may be taken by another run on this machine.
                "--set", "metrics.port=0",
                "--set", "engine.provider=cpu", "--set", "batch.max.size=4", "--set", "batch.linger.ms=30",
                "--set", "pipeline.main.max.new.tokens=4",
                // A dead member would otherwise hold the group for the default 45 s after each kill.
                "--set", "session.timeout.ms=6000", "--set", "heartbeat.interval.ms=1500"));
        File log = temp.resolve("app-run-" + run + ".log").toFile();
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
    }

    /** A read_committed consumer accumulating the answers' event ids. */
    private static final class CommittedReader implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final GenericAvroSerde serde = new GenericAvroSerde();
        private final List<String> ids = new ArrayList<>();
        private long lastArrival = System.nanoTime();

        CommittedReader(Map<String, Object> clientProps, String registryUrl) {
            Map<String, Object> props = new HashMap<>(clientProps);
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            serde.configure(Map.of("schema.registry.url", registryUrl), false);
            List<TopicPartition> partitions = consumer.partitionsFor("crash-out", Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition("crash-out", p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        int count() {
            poll();
            return ids.size();
        }

        List<String> eventIds() {
            poll();
            return List.copyOf(ids);
        }

        boolean awaitCount(int count, Duration limit) {
            long end = System.nanoTime() + limit.toNanos();
            while (ids.size() < count && System.nanoTime() < end) {
                poll();
            }
            return ids.size() >= count;
        }

        void awaitQuiet(Duration quiet) {
            while (System.nanoTime() - lastArrival < quiet.toNanos()) {
                poll();
            }
        }

        private void poll() {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                GenericRecord answer = serde.deserializer().deserialize(r.topic(), r.value());
                ids.add(answer.get("event_id").toString());
                lastArrival = System.nanoTime();
            }
        }

        @Override
        public void close() {
            consumer.close();
            serde.close();
        }
    }
}
