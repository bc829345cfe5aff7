package io.vlmstreams.topology.processor;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import io.vlmstreams.inference.engine.InferenceEngine;
import io.vlmstreams.schemas.Answer;
import io.vlmstreams.schemas.DeadLetter;
import io.vlmstreams.schemas.ImageEvent;
import io.vlmstreams.schemas.serde.MockSchemaRegistry;
import io.vlmstreams.schemas.serde.SchemaRegistryClient;
import io.vlmstreams.schemas.serde.SchemaRegistryClients;
import io.vlmstreams.schemas.serde.SpecificAvroSerde;
import io.vlmstreams.topology.VlmTopology;
import io.vlmstreams.topology.config.AppConfig;
import io.vlmstreams.topology.config.ConfigSource;
import io.vlmstreams.topology.config.FetchConfig;
import io.vlmstreams.topology.fetch.FetchPolicy;
import io.vlmstreams.topology.fetch.ImageFetcher;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The real topology on a {@link TopologyTestDriver}, for tests of its batching rules: pipeline {@code p} reads
 * {@code in}, answers to {@code out} and dead-letters to {@code dlq}, in batches of at most 3 requests and
 * 100 image tokens lingering 1 s; its schema registry is a mock scope, dropped on close.
 */
final class TopologyUnderTest implements AutoCloseable {

    final TopologyTestDriver driver;
    final TestInputTopic<byte[], byte[]> input;
    final TestOutputTopic<byte[], Answer> output;
    final TestOutputTopic<byte[], DeadLetter> dlq;
    private final String scope;
    private final SpecificAvroSerde<ImageEvent> events;
    private final SpecificAvroSerde<Answer> answers;
    private final SpecificAvroSerde<DeadLetter> deadLetters;

    /**
     * @param settings    added to the settings above (and winning over them)
     * @param driverProps added to the driver's {@code application.id} and {@code bootstrap.servers}
     * @param startMs     the driver's wall clock at start
     */
    TopologyUnderTest(String scope, String applicationId, InferenceEngine engine, Map<String, String> settings,
                      Map<String, String> driverProps, long startMs) {
        this.scope = scope;
        Map<String, Object> serdeConfigs = Map.of("schema.registry.url", "mock://" + scope);
        SchemaRegistryClient registry = SchemaRegistryClients.create(serdeConfigs);
        events = serde(ImageEvent.class, serdeConfigs);
        answers = serde(Answer.class, serdeConfigs);
        deadLetters = serde(DeadLetter.class, serdeConfigs);
        Map<String, String> all = new HashMap<>(Map.of(
                "bootstrap.servers", "unused:9092", "schema.registry.url", "mock://" + scope, "model.dir", "unused",
                "pipelines", "p", "pipeline.p.input.topics", "in", "pipeline.p.output.topic", "out",
                "pipeline.p.prompt", "Describe.", "dead.letter.topic", "dlq"));
        all.putAll(Map.of("batch.max.size", "3", "batch.max.image.tokens", "100", "batch.linger.ms", "1000"));
        all.putAll(settings);
        AppConfig config = AppConfig.from(ConfigSource.of(all));
        Properties props = new Properties();
        props.put("application.id", applicationId);
        props.put("bootstrap.servers", "unused:9092");
        props.putAll(driverProps);
        driver = new TopologyTestDriver(VlmTopology.build(config, engine, new ImageFetcher(new FetchPolicy(FetchConfig.defaults())),
                registry), props, Instant.ofEpochMilli(startMs));
        input = driver.createInputTopic("in", new ByteArraySerializer(), new ByteArraySerializer());
        output = driver.createOutputTopic("out", new ByteArrayDeserializer(), answers.deserializer());
        dlq = driver.createOutputTopic("dlq", new ByteArrayDeserializer(), deadLetters.deserializer());
    }

    /** {@code event} as a record value of the input topic. */
    byte[] serialize(ImageEvent event) {
        return events.serializer().serialize("in", event);
    }

    @Override
    public void close() {
        driver.close();
        events.close();
        answers.close();
        deadLetters.close();
        MockSchemaRegistry.dropScope(scope);
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> SpecificAvroSerde<T> serde(Class<T> type,
                                                                                                 Map<String, Object> configs) {
        SpecificAvroSerde<T> serde = new SpecificAvroSerde<>(type);
        serde.configure(configs, false);
        return serde;
    }
}
