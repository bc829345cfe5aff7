package io.vlmstreams.devstack.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.IntStream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaClusterTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void readCommittedConsumerSeesExactlyTheCommittedTransaction() throws Exception {
        Path workDir;
        try (EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster().start()) {
            workDir = kafka.workDir();
            System.out.printf("broker start: %d ms%n", kafka.lastStartTime().toMillis());
            kafka.createTopic("events", 3);

            try (KafkaProducer<String, String> producer = transactionalProducer(kafka.clientProperties(), "tx-events")) {
                producer.initTransactions();
                producer.beginTransaction();
                send(producer, "events", "committed", 10);
                producer.commitTransaction();

                producer.beginTransaction();
                send(producer, "events", "aborted", 5);
                producer.flush();
                producer.abortTransaction();
            }

            try (RecordCollector<String, String> collector = RecordCollector.open(kafka.clientProperties(), "events",
                    new StringDeserializer(), new StringDeserializer())) {
                List<ConsumerRecord<String, String>> records = collector.readToEnd(WAIT);
                assertThat(records).extracting(ConsumerRecord::value)
                        .containsExactlyInAnyOrderElementsOf(values("committed", 10));
            }
            // The broker logs through the child's logback configuration into its own file.
            assertThat(Files.readString(kafka.logFile())).contains("Kafka Server started");
        }
        assertThat(workDir).as("close() deletes the work directory").doesNotExist();
    }

    @Test
    void committedDataSurvivesAKillAndRestartOnTheSamePort() throws Exception {
        try (EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster().start()) {
            kafka.createTopic("durable", 2, Map.of("segment.bytes", String.valueOf(1024 * 1024)));
            try (KafkaProducer<String, String> producer = transactionalProducer(kafka.clientProperties(), "tx-durable")) {
                producer.initTransactions();
                producer.beginTransaction();
                send(producer, "durable", "before-crash", 10);
                producer.commitTransaction();
            }
            String bootstrap = kafka.bootstrapServers();
            long firstPid = kafka.brokerPid().orElseThrow();

            kafka.killBroker();
            assertThat(kafka.isBrokerRunning()).isFalse();
            assertThat(ProcessHandle.of(firstPid).filter(ProcessHandle::isAlive)).isEmpty();
            kafka.restartBroker();
            System.out.printf("broker restart after SIGKILL: %d ms%n", kafka.lastStartTime().toMillis());

            assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
            assertThat(kafka.brokerPid().orElseThrow()).isNotEqualTo(firstPid);
            List<ConsumerRecord<String, String>> records = RecordCollector.consume(kafka.clientProperties(), "durable",
                    new StringDeserializer(), new StringDeserializer(), 10, WAIT);
            assertThat(records).extracting(ConsumerRecord::value)
                    .containsExactlyInAnyOrderElementsOf(values("before-crash", 10));
        }
    }

    @Test
    void saslPlainAcceptsTheRightPasswordAndRejectsAWrongOne() throws Exception {
        KafkaClusterOptions options = KafkaClusterOptions.defaults().withSaslPlain("vlm", "s3cret \"quoted\"");
        try (EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster(options).start()) {
            Map<String, Object> client = kafka.clientProperties();
            assertThat(client).containsEntry("security.protocol", "SASL_PLAINTEXT").containsEntry("sasl.mechanism", "PLAIN");
            kafka.createTopic("secured", 1);

            try (KafkaProducer<String, String> producer = new KafkaProducer<>(client, new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("secured", "k", "v")).get();
            }
            assertThat(RecordCollector.consume(client, "secured", new StringDeserializer(), new StringDeserializer(), 1, WAIT))
                    .extracting(ConsumerRecord::value).containsExactly("v");

            Map<String, Object> wrong = kafka.clientProperties();
            wrong.put(SaslConfigs.SASL_JAAS_CONFIG, new SaslPlainCredentials("vlm", "wrong").clientJaasConfig());
            try (Admin intruder = Admin.create(wrong)) {
                assertThatThrownBy(() -> intruder.listTopics().names().get())
                        .isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOf(SaslAuthenticationException.class)
                        .hasMessageContaining("Invalid username or password");
            }
        }
    }

    @Test
    void aBrokerThatCannotStartFailsWithTheTailOfItsLog() {
        KafkaClusterOptions invalid = KafkaClusterOptions.defaults().withBrokerProperty("log.segment.bytes", "12");
        EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster(invalid);
        assertThatThrownBy(kafka::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exited with code")
                .hasMessageContaining("log.segment.bytes");
        assertThat(kafka.isBrokerRunning()).isFalse();
    }

    private static KafkaProducer<String, String> transactionalProducer(Map<String, Object> client, String transactionalId) {
        Map<String, Object> props = new HashMap<>(client);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    private static void send(KafkaProducer<String, String> producer, String topic, String prefix, int count) {
        for (String value : values(prefix, count)) {
            producer.send(new ProducerRecord<>(topic, value, value));
        }
    }

    private static List<String> values(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + "-" + i).toList();
    }
}
