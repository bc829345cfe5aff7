package io.vlmstreams.topology.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.vlmstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.vlmstreams.devstack.registry.ApicurioRegistry;
import io.vlmstreams.schemas.serde.CompatibilityLevel;
import io.vlmstreams.schemas.serde.IncompatibleSchemaException;
import io.vlmstreams.schemas.serde.SchemaNotFoundException;
import io.vlmstreams.schemas.serde.SchemaRegistryClient;
import io.vlmstreams.schemas.serde.SchemaRegistryClients;
import io.vlmstreams.topology.app.StreamsApp;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Interop with a registry nobody here wrote: Apicurio Registry 2.4.2.Final through its Confluent API
 * ({@code /apis/ccompat/v7}), packaged from Maven Central artifacts and run in a child JVM. The
 * project's client registers, looks up by id and by subject, meets the compatibility errors it
 * expects, and the application answers records whose schemas live in Apicurio.
 */
class ApicurioInteropTest {

    private static final Schema V1 = new Schema.Parser().parse(
            "{\"type\":\"record\",\"name\":\"Probe\",\"namespace\":\"io.vlmstreams.probe\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"}]}");
    /** A new field without a default: old data cannot be read with it, so BACKWARD refuses it. */
    private static final Schema V2_BREAKING = new Schema.Parser().parse(
            "{\"type\":\"record\",\"name\":\"Probe\",\"namespace\":\"io.vlmstreams.probe\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"},"
                    + "{\"name\":\"b\",\"type\":\"int\"}]}");
    private static final Schema V2 = new Schema.Parser().parse(
            "{\"type\":\"record\",\"name\":\"Probe\",\"namespace\":\"io.vlmstreams.probe\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"},"
                    + "{\"name\":\"b\",\"type\":\"int\",\"default\":0}]}");

    @TempDir
    static Path temp;

    private static ApicurioRegistry apicurio;

    @BeforeAll
    static void start() {
        long began = System.nanoTime();
        apicurio = ApicurioRegistry.start();
        System.out.printf("APICURIO: packaged in %.1f s (0 when already built), started in %.1f s, at %s%n",
                apicurio.buildTime().toMillis() / 1e3, apicurio.startTime().toMillis() / 1e3, apicurio.url());
        System.out.printf("APICURIO: ready after %.1f s%n", (System.nanoTime() - began) / 1e9);
    }

    @AfterAll
    static void stop() {
        if (apicurio != null) {
            apicurio.close();
        }
    }

    @Test
    void theClientRegistersLooksUpAndMeetsCompatibilityErrors() {
        try (SchemaRegistryClient client = SchemaRegistryClients.create(Map.of("schema.registry.url", apicurio.url()))) {
            int id = client.register("probe-value", V1);
            assertThat(client.register("probe-value", V1)).as("idempotent").isEqualTo(id);
            assertThat(client.getId("probe-value", V1)).isEqualTo(id);
            assertThat(client.getById(id)).isEqualTo(V1);
            assertThat(client.getLatest("probe-value").version()).isEqualTo(1);
            assertThat(client.getSubjects()).contains("probe-value");

            // Apicurio's global default is NONE (Confluent's is BACKWARD): set the subject's level first
            client.setCompatibility("probe-value", CompatibilityLevel.BACKWARD);
            assertThat(client.getCompatibility("probe-value")).isEqualTo(CompatibilityLevel.BACKWARD);
            assertThatThrownBy(() -> client.register("probe-value", V2_BREAKING)).isInstanceOf(IncompatibleSchemaException.class);
            int id2 = client.register("probe-value", V2);
            assertThat(id2).isNotEqualTo(id);
            assertThat(client.getVersions("probe-value")).containsExactly(1, 2);
            assertThat(client.getVersion("probe-value", 1).schema()).isEqualTo(V1);
            assertThat(client.getLatest("probe-value").id()).isEqualTo(id2);

            assertThatThrownBy(() -> client.getId("no-such-subject", V1)).isInstanceOf(SchemaNotFoundException.class);
            assertThatThrownBy(() -> client.getById(987_654)).isInstanceOf(SchemaNotFoundException.class);
        }
    }

    @Test
    void recordsWrittenThroughApicurioAreAnswered() {
        long began = System.nanoTime();
        try (EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster().start()) {
            for (String topic : List.of("in-apicurio", "out-apicurio", "dlq-apicurio")) {
                kafka.createTopic(topic, 2);
            }
            Map<String, String> settings = TestApp.baseSettings(kafka, Map.of("schema.registry.url", apicurio.url()),
                    temp.resolve("state"), "apicurio-test");
            settings.putAll(Map.of("dead.letter.topic", "dlq-apicurio", "pipelines", "p", "batch.max.size", "4",
                    "batch.linger.ms", "30", "pipeline.p.input.topics", "in-apicurio", "pipeline.p.output.topic", "out-apicurio",
                    "pipeline.p.prompt", "Describe this image.", "pipeline.p.max.new.tokens", "3"));
            KafkaIo io = new KafkaIo(kafka.clientProperties(), apicurio.url());
            List<Map.Entry<String, byte[]>> records = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                ids.add("apicurio-" + i);
                records.add(Map.entry("cam", io.serialize("in-apicurio",
                        KafkaIo.inline("apicurio-" + i, "cam", KafkaIo.fixtureImage("green_palette.png")))));
            }
            try (StreamsApp app = TestApp.start(settings)) {
                io.sendRaw("in-apicurio", records);
                List<ConsumerRecord<String, GenericRecord>> answers = io.readCommitted("out-apicurio", ids.size(),
                        Duration.ofSeconds(2), Duration.ofSeconds(90));
                assertThat(answers).extracting(r -> r.value().get("event_id").toString()).containsExactlyElementsOf(ids);
                assertThat(answers).allSatisfy(r -> assertThat(r.value().getSchema().getName()).isEqualTo("Answer"));
                try (SchemaRegistryClient client = SchemaRegistryClients.create(Map.of("schema.registry.url", apicurio.url()))) {
                    assertThat(client.getSubjects()).contains("in-apicurio-value", "out-apicurio-value");
                }
                System.out.printf("APICURIO: %d events written and answered through Apicurio in %.1f s%n", answers.size(),
                        (System.nanoTime() - began) / 1e9);
            }
        }
    }
}
