package io.vlmstreams.topology.it;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.vlmstreams.schemas.ImageEvent;
import io.vlmstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.vlmstreams.devstack.registry.TestSchemaRegistryServer;
import io.vlmstreams.topology.app.StreamsApp;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The application in process against a real KRaft broker, an HTTP schema registry and a real tiny
 * model: two pipelines, one answering only good events, one fed a mix of good and bad records.
 */
class EndToEndTest {

    private static final Duration QUIET = Duration.ofSeconds(2);
    private static final Duration LIMIT = Duration.ofSeconds(90);

    @TempDir
    static Path temp;

    private static EmbeddedKafkaCluster kafka;
    private static TestSchemaRegistryServer registry;
    private static StreamsApp app;
    private static KafkaIo io;
    private static String modelId;

    @BeforeAll
    static void start() {
        kafka = new EmbeddedKafkaCluster().start();
        registry = TestSchemaRegistryServer.start();
        for (String topic : List.of("in-e2e", "out-e2e", "in-mixed", "out-mixed", "dlq")) {
            kafka.createTopic(topic, 2);
        }
        Map<String, String> settings = TestApp.baseSettings(kafka, Map.of("schema.registry.url", registry.url()),
                temp.resolve("state"), "e2e-test");
        settings.putAll(Map.of("dead.letter.topic", "dlq", "pipelines", "e2e,mixed", "batch.max.size", "4",
                "batch.linger.ms", "50"));
        settings.putAll(Map.of("pipeline.e2e.input.topics", "in-e2e", "pipeline.e2e.output.topic", "out-e2e",
                "pipeline.e2e.prompt", "Describe this image.", "pipeline.e2e.max.new.tokens", "6",
                "pipeline.mixed.input.topics", "in-mixed", "pipeline.mixed.output.topic", "out-mixed",
                "pipeline.mixed.prompt", "What is this?", "pipeline.mixed.max.new.tokens", "4"));
        app = TestApp.start(settings);
        modelId = app.modelId();
        io = new KafkaIo(kafka.clientProperties(), registry.url());
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
        if (registry != null) {
            registry.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void everyEventIsAnsweredOnceInOrderPerKeyWithItsFields() {
        List<String> images = List.of("green_palette.png", "microaneurysms.png", "text.png");
        int n = 12;
        List<Map.Entry<String, byte[]>> records = new ArrayList<>();
        Map<String, List<String>> sentPerKey = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String key = "cam-" + (i % 3);
            String id = "e2e-" + i;
            records.add(Map.entry(key, io.serialize("in-e2e",
                    KafkaIo.inline(id, key, KafkaIo.fixtureImage(images.get(i % images.size()))))));
            sentPerKey.computeIfAbsent(key, k -> new ArrayList<>()).add(id);
        }
        io.sendRaw("in-e2e", records);

        List<ConsumerRecord<String, GenericRecord>> answers = io.readCommitted("out-e2e", n, QUIET, LIMIT);

        assertThat(answers).hasSize(n);
        Map<String, List<String>> answeredPerKey = answers.stream().collect(Collectors.groupingBy(ConsumerRecord::key,
                LinkedHashMap::new, Collectors.mapping(r -> r.value().get("event_id").toString(), Collectors.toList())));
        assertThat(answeredPerKey).isEqualTo(sentPerKey);
        for (ConsumerRecord<String, GenericRecord> r : answers) {
            GenericRecord a = r.value();
            assertThat(a.getSchema().getName()).isEqualTo("Answer");
            assertThat(a.get("source_id").toString()).isEqualTo(r.key());
            assertThat(a.get("pipeline").toString()).isEqualTo("e2e");
            assertThat(a.get("model_id").toString()).isEqualTo(modelId);
            assertThat((int) a.get("image_tokens")).isPositive();
            assertThat((int) a.get("prompt_tokens")).isGreaterThan((int) a.get("image_tokens"));
            assertThat((int) a.get("generated_tokens")).isBetween(1, 6);
            assertThat(((Map<?, ?>) a.get("attributes")).toString()).contains("n=" + a.get("event_id"));
        }
    }

    @Test
    void badRecordsAreDeadLetteredWithTheirReasonAndTheirNeighboursAnswered() {
        byte[] good = KafkaIo.fixtureImage("green_palette.png");
        List<Map.Entry<String, byte[]>> records = new ArrayList<>();
        List<String> goodIds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            goodIds.add("good-" + i);
            records.add(Map.entry("k", io.serialize("in-mixed", KafkaIo.inline("good-" + i, "k", good))));
        }
        records.add(Map.entry("k", io.serialize("in-mixed",
                KafkaIo.inline("corrupt", "k", "this is no image at all".getBytes(StandardCharsets.UTF_8)))));
        records.add(Map.entry("k", "garbage bytes, not Avro".getBytes(StandardCharsets.UTF_8)));
        records.add(Map.entry("k", new byte[] {0, 0, 0, 0x7f, 0x7e, 2, 4, 6}));
        records.add(Map.entry("k", io.serialize("in-mixed",
                KafkaIo.byReference("forbidden", "http://169.254.169.254/latest/meta-data/image.png"))));
        for (int i = 3; i < 6; i++) {
            goodIds.add("good-" + i);
            records.add(Map.entry("k", io.serialize("in-mixed", KafkaIo.inline("good-" + i, "k", good))));
        }
        io.sendRaw("in-mixed", records);

        List<ConsumerRecord<String, GenericRecord>> answers = io.readCommitted("out-mixed", goodIds.size(), QUIET, LIMIT);
        List<ConsumerRecord<String, GenericRecord>> letters = io.readCommitted("dlq", 4, QUIET, LIMIT).stream()
                .filter(r -> "mixed".equals(String.valueOf(r.value().get("pipeline")))).toList();

        assertThat(answers).extracting(r -> r.value().get("event_id").toString()).containsExactlyElementsOf(goodIds);
        assertThat(letters).hasSize(4);
        assertThat(letters).extracting(r -> r.value().get("reason").toString())
                .containsExactlyInAnyOrder("IMAGE_UNDECODABLE", "DESERIALIZATION", "DESERIALIZATION", "FETCH_FORBIDDEN");
        assertThat(letters).filteredOn(r -> r.value().get("reason").toString().equals("FETCH_FORBIDDEN"))
                .singleElement().satisfies(r -> assertThat(r.value().get("event_id").toString()).isEqualTo("forbidden"));
        assertThat(letters).filteredOn(r -> r.value().get("reason").toString().equals("DESERIALIZATION"))
                .allSatisfy(r -> {
                    assertThat(r.value().get("source_topic").toString()).isEqualTo("in-mixed");
                    assertThat((int) r.value().get("original_value_size")).isPositive();
                });
    }
}
