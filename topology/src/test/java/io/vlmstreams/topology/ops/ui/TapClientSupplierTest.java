package io.vlmstreams.topology.ops.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import io.vlmstreams.devstack.kafka.EmbeddedKafkaCluster;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tap on a real KRaft broker: a transactional producer's output records reach the view only
 * when {@code commitTransaction()} returns (never for an aborted transaction, never for topics that
 * are not outputs), and the main consumer's input records reach it as they are polled.
 */
class TapClientSupplierTest {

    private static EmbeddedKafkaCluster kafka;

    @BeforeAll
    static void start() {
        kafka = new EmbeddedKafkaCluster().start();
        kafka.createTopic("tap-out", 1);
        kafka.createTopic("tap-changelog", 1);
        kafka.createTopic("tap-in", 1);
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void outputReachesTheViewOnlyWhenItsTransactionCommits() {
        Recorder tap = new Recorder();
        TapClientSupplier supplier = new TapClientSupplier(Set.of("tap-in"), Set.of("tap-out"), tap);
        Map<String, Object> config = kafka.clientProperties();
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tap-test");
        try (Producer<byte[], byte[]> producer = supplier.getProducer(config)) {
            producer.initTransactions();

            producer.beginTransaction();
            producer.send(record("tap-out", "aborted"));
            producer.flush();
            producer.abortTransaction();
            assertThat(tap.committed).isEmpty();

            producer.beginTransaction();
            producer.send(record("tap-out", "first"));
            producer.send(record("tap-changelog", "not an output"));
            producer.send(record("tap-out", "second"));
            producer.flush();
            assertThat(tap.committed).as("sent and acknowledged, not yet committed").isEmpty();
            producer.commitTransaction();
        }
        assertThat(tap.committed).containsExactly("first", "second");
    }

    @Test
    void inputRecordsReachTheViewAsTheConsumerPollsThem() {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.clientProperties(),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(record("tap-in", "one"));
            producer.send(record("tap-in", "two"));
            producer.flush();
        }
        Recorder tap = new Recorder();
        TapClientSupplier supplier = new TapClientSupplier(Set.of("tap-in"), Set.of("tap-out"), tap);
        Map<String, Object> config = new HashMap<>(kafka.clientProperties());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (Consumer<byte[], byte[]> consumer = supplier.getConsumer(config)) {
            consumer.assign(List.of(new TopicPartition("tap-in", 0)));
            consumer.seekToBeginning(List.of(new TopicPartition("tap-in", 0)));
            int seen = 0;
            while (seen < 2) {
                seen += consumer.poll(Duration.ofMillis(200)).count();
            }
        }
        assertThat(tap.consumed).containsExactly("one", "two");
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, String value) {
        return new ProducerRecord<>(topic, value.getBytes(StandardCharsets.UTF_8));
    }

    private static final class Recorder implements StreamTap {
        final List<String> consumed = new CopyOnWriteArrayList<>();
        final List<String> committed = new CopyOnWriteArrayList<>();

        @Override
        public void consumed(ConsumerRecord<byte[], byte[]> record) {
            consumed.add(new String(record.value(), StandardCharsets.UTF_8));
        }

        @Override
        public void committed(List<ProducerRecord<byte[], byte[]>> records) {
            List<String> values = new ArrayList<>();
            records.forEach(r -> values.add(new String(r.value(), StandardCharsets.UTF_8)));
            committed.addAll(values);
        }
    }
}
