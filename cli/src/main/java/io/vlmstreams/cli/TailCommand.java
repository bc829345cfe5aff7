package io.vlmstreams.cli;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlmstreams.schemas.serde.GenericAvroSerde;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tail}: prints a topic's answers or dead letters (read_committed, so only what the
 * application committed) as JSON lines; records are read with their writer's schema, so one
 * command serves both. Reads without a consumer group: it never moves anyone's offsets.
 */
@Command(name = "tail", mixinStandardHelpOptions = true, description = "Print answers or dead letters as JSON lines.")
public final class TailCommand implements Callable<Integer> {

    @Mixin
    ClientOptions client;

    @Option(names = "--topic", required = true, description = "Topic to read.")
    String topic;

    @Option(names = "--from-beginning", description = "Start at the earliest offset (default: the end).")
    boolean fromBeginning;

    @Option(names = "--count", description = "Exit after this many records.")
    Integer count;

    @Option(names = "--timeout", paramLabel = "S", description = "Exit after this many seconds without a record.")
    Integer timeoutSeconds;

    @Option(names = "--json", description = "JSON lines output (the only format).")
    boolean json = true;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> configs = client.clientConfigs();
        configs.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        configs.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        configs.remove(ConsumerConfig.GROUP_ID_CONFIG);
        if (!ClientCheck.passes(configs, topic, "--topic", ClientCheck.TIMEOUT, System.err)) {
            return io.vlmstreams.topology.app.StreamsMain.EXIT_NOT_READY;
        }
        ObjectMapper mapper = new ObjectMapper();
        int seen = 0;
        long idleSince = System.nanoTime();
        try (GenericAvroSerde serde = new GenericAvroSerde();
             KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(configs, new ByteArrayDeserializer(),
                     new ByteArrayDeserializer())) {
            serde.configure(configs, false);
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            if (fromBeginning) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.seekToEnd(partitions);
            }
            while (count == null || seen < count) {
                var records = consumer.poll(Duration.ofMillis(200));
                if (records.isEmpty()) {
                    if (timeoutSeconds != null && System.nanoTime() - idleSince >= timeoutSeconds * 1_000_000_000L) {
                        break;
                    }
                    continue;
                }
                idleSince = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    GenericRecord value = serde.deserializer().deserialize(r.topic(), r.value());
                    System.out.println(mapper.writeValueAsString(RecordJson.of(value)));
                    if (count != null && ++seen >= count) {
                        break;
                    }
                }
                System.out.flush();
            }
        }
        return 0;
    }
}
