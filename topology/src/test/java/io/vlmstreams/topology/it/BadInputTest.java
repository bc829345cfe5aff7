package io.vlmstreams.topology.it;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vlmstreams.schemas.GenerationOverrides;
import io.vlmstreams.schemas.ImageEvent;
import io.vlmstreams.schemas.ImageReference;
import io.vlmstreams.schemas.InlineImage;
import io.vlmstreams.schemas.serde.GenericAvroSerde;
import io.vlmstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.vlmstreams.devstack.registry.TestSchemaRegistryServer;
import io.vlmstreams.topology.app.StreamsApp;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input through the real broker, one record per case, all on one partition of one pipeline:
 * each is answered or dead-lettered with a reason, none stops the application, and a good record
 * sent after all of them is answered (the partition did not stall). Prints the input -> outcome table.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputTest {

    private static final String IN = "bad-in";
    private static final String OUT = "bad-out";
    private static final String DLQ = "bad-dlq";
    private static final int MAX_PROMPT_CHARS = 500;
    private static final Duration LIMIT = Duration.ofSeconds(60);
    static final String ANSWERED = "answered";

    @TempDir
    static Path temp;

    private static EmbeddedKafkaCluster kafka;
    private static TestSchemaRegistryServer registry;
    private static StreamsApp app;
    private static KafkaIo io;
    private static KafkaProducer<byte[], byte[]> producer;
    private static CommittedReader reader;
    private static final Map<String, String> table = new LinkedHashMap<>();

    @BeforeAll
    static void start() {
        kafka = new EmbeddedKafkaCluster().start();
        registry = TestSchemaRegistryServer.start();
        kafka.createTopic(IN, 1);
        kafka.createTopic(OUT, 1);
        kafka.createTopic(DLQ, 1);
        Map<String, String> settings = TestApp.baseSettings(kafka, registry.clientConfigs(), temp.resolve("state"), "bad-input-test");
        settings.putAll(Map.of("dead.letter.topic", DLQ, "pipelines", "p", "batch.max.size", "4", "batch.linger.ms", "30",
                "pipeline.p.input.topics", IN, "pipeline.p.output.topic", OUT, "pipeline.p.prompt", "Describe this image.",
                "pipeline.p.max.new.tokens", "3", "pipeline.p.max.prompt.chars", String.valueOf(MAX_PROMPT_CHARS)));
        app = TestApp.start(settings, engine -> new FailingEventsEngine(engine, Set.of("inference-fault", "batch-fault")));
        io = new KafkaIo(kafka.clientProperties(), registry.url());
        producer = new KafkaProducer<>(kafka.clientProperties(), new ByteArraySerializer(), new ByteArraySerializer());
        reader = new CommittedReader(kafka.clientProperties(), registry.url(), OUT, DLQ);
    }

    @AfterAll
    static void stop() {
        System.out.println("BAD INPUT TABLE (input -> outcome):");
        table.forEach((input, outcome) -> System.out.printf("  %-52s -> %s%n", input, outcome));
        for (AutoCloseable c : new AutoCloseable[] {reader, producer, app, registry, kafka}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                System.out.println("closing: " + e);
            }
        }
    }

    /** One bad input: its name, the record value (made once the registry runs), its event id if any, the expected outcome. */
    record Case(String name, Supplier<byte[]> value, String eventId, String expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> cases() {
        byte[] jpeg = BadImages.rgbJpeg();
        byte[] png = KafkaIo.fixtureImage("green_palette.png");
        List<Case> cases = new ArrayList<>(List.of(
                inline("truncated JPEG", "truncated-jpeg", BadImages.truncated(jpeg), "image/jpeg", "IMAGE_UNDECODABLE"),
                inline("corrupt JPEG (header kept, rest noise)", "corrupt-jpeg", BadImages.corrupt(jpeg, 20), "image/jpeg", "IMAGE_UNDECODABLE"),
                inline("truncated PNG", "truncated-png", BadImages.truncated(png), "image/png", "IMAGE_UNDECODABLE"),
                inline("corrupt PNG (header kept, rest noise)", "corrupt-png", BadImages.corrupt(png, 33), "image/png", "IMAGE_UNDECODABLE"),
                inline("zero bytes", "zero-bytes", new byte[0], "image/png", "IMAGE_UNDECODABLE"),
                inline("decompression bomb (PNG declaring 50000x50000)", "bomb", BadImages.decompressionBomb(50_000), "image/png", "IMAGE_TOO_LARGE"),
                inline("palette PNG", "palette-png", BadImages.palettePng(), "image/png", ANSWERED),
                inline("grayscale PNG", "gray-png", BadImages.grayscalePng(), "image/png", ANSWERED),
                inline("16-bit PNG", "16bit-png", BadImages.sixteenBitPng(), "image/png", ANSWERED),
                inline("alpha PNG", "alpha-png", BadImages.alphaPng(), "image/png", ANSWERED),
                inline("CMYK JPEG", "cmyk-jpeg", BadImages.cmykJpeg(), "image/jpeg", ANSWERED),
                inline("animated GIF (3 frames)", "animated-gif", BadImages.animatedGif(), "image/gif", ANSWERED),
                inline("unknown media type, PNG bytes", "unknown-media-png", png, "application/x-unknown", ANSWERED),
                inline("unknown media type, unknown bytes", "unknown-media-bytes", BadImages.corrupt(new byte[256], 0), "application/x-unknown", "IMAGE_UNDECODABLE"),
                new Case("garbage non-Avro bytes", () -> "garbage bytes, not Avro".getBytes(StandardCharsets.UTF_8), null, "DESERIALIZATION"),
                new Case("unknown schema id", () -> new byte[] {0, 0, 0, 0x7f, 0x7e, 2, 4, 6}, null, "DESERIALIZATION"),
                new Case("tombstone (null value)", () -> null, null, "DESERIALIZATION"),
                new Case("older ImageEvent schema (v0: no prompt, overrides, attributes)", () -> olderSchemaEvent("schema-v0"), "schema-v0", ANSWERED),
                new Case("newer ImageEvent schema (v2: added defaulted field)", () -> newerSchemaEvent("schema-v2"), "schema-v2", ANSWERED),
                event("oversized prompt (" + (MAX_PROMPT_CHARS + 1) + " chars)", "long-prompt", "x".repeat(MAX_PROMPT_CHARS + 1), null, "INVALID_REQUEST"),
                event("overrides: max_new_tokens -5", "negative-max-tokens", null, overrides(-5, null), "INVALID_REQUEST"),
                event("overrides: temperature NaN", "nan-temperature", null, overrides(null, Float.NaN), "INVALID_REQUEST"),
                event("overrides: temperature -1", "negative-temperature", null, overrides(null, -1f), "INVALID_REQUEST"),
                event("inference failure injected in its batch", "inference-fault", null, null, "INFERENCE_FAILED"),
                new Case("URL to the cloud metadata address", () -> io.serialize(IN, withImage("metadata-url",
                        new ImageReference("http://169.254.169.254/latest/meta-data/", null), null, null)), "metadata-url", "FETCH_FORBIDDEN")));
        return cases.stream().map(Arguments::of);
    }

    @Order(1)
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void eachBadInputIsAnsweredOrDeadLetteredWithItsReason(Case c) throws Exception {
        String outcome = sendAndAwaitOutcome(c.name(), c.value().get(), c.eventId());
        assertThat(outcome).as(c.name()).isEqualTo(c.expected());
    }

    @Order(2)
    @Test
    void anInferenceFailureInABatchDeadLettersOnlyItsRecordAndItsBatchMatesAreAnswered() throws Exception {
        byte[] image = KafkaIo.fixtureImage("green_palette.png");
        List<String> ids = List.of("mate-1", "mate-2", "batch-fault", "mate-3");
        List<Long> offsets = new ArrayList<>();
        // sent back to back, so the processor collects them into one batch of four (batch.max.size)
        List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> sent = new ArrayList<>();
        for (String id : ids) {
            sent.add(producer.send(new ProducerRecord<>(IN, "k".getBytes(StandardCharsets.UTF_8),
                    io.serialize(IN, KafkaIo.inline(id, "k", image)))));
        }
        for (var f : sent) {
            offsets.add(f.get().offset());
        }
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            String offset = String.valueOf(offsets.get(i));
            Optional<CommittedReader.Output> out = reader.await(o -> o.topic().equals(OUT) ? id.equals(o.field("event_id"))
                    : IN.equals(o.field("source_topic")) && offset.equals(o.field("source_offset")), LIMIT);
            String outcome = out.map(o -> o.topic().equals(OUT) ? ANSWERED : o.field("reason")).orElse("NOTHING");
            table.put("batch of 4 with an injected inference failure: " + id, outcome);
            assertThat(outcome).as(id).isEqualTo(id.equals("batch-fault") ? "INFERENCE_FAILED" : ANSWERED);
        }
    }

    @Order(3)
    @Test
    void aGoodRecordAfterAllOfThemIsAnsweredOnTheSamePartition() throws Exception {
        byte[] good = io.serialize(IN, KafkaIo.inline("final-good", "k", KafkaIo.fixtureImage("green_palette.png")));
        assertThat(sendAndAwaitOutcome("final good record (same partition)", good, "final-good")).isEqualTo(ANSWERED);
        assertThat(app.state().isRunningOrRebalancing()).isTrue();
    }

    /** Sends one record and waits for its answer (by event id) or dead letter (by source offset). */
    private static String sendAndAwaitOutcome(String name, byte[] value, String eventId) throws Exception {
        long offset = producer.send(new ProducerRecord<>(IN, "k".getBytes(StandardCharsets.UTF_8), value)).get().offset();
        Optional<CommittedReader.Output> out = reader.await(o -> o.topic().equals(OUT)
                        ? eventId != null && eventId.equals(o.field("event_id"))
                        : IN.equals(o.field("source_topic")) && String.valueOf(offset).equals(o.field("source_offset")),
                LIMIT);
        String outcome = out.map(o -> o.topic().equals(OUT) ? ANSWERED : o.field("reason")).orElse("NOTHING within " + LIMIT);
        String detail = out.filter(o -> o.topic().equals(DLQ)).map(o -> " (" + abbreviate(o.field("message")) + ")").orElse("");
        table.put(name, outcome + detail);
        return outcome;
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() > 90 ? s.substring(0, 90) + "..." : s;
    }

    private static Case inline(String name, String id, byte[] bytes, String mediaType, String expected) {
        return new Case(name, () -> io.serialize(IN, withImage(id, new InlineImage(ByteBuffer.wrap(bytes), mediaType), null, null)),
                id, expected);
    }

    private static Case event(String name, String id, String prompt, GenerationOverrides overrides, String expected) {
        byte[] png = KafkaIo.fixtureImage("green_palette.png");
        return new Case(name, () -> io.serialize(IN, withImage(id, new InlineImage(ByteBuffer.wrap(png), "image/png"), prompt,
                overrides)), id, expected);
    }

    private static GenerationOverrides overrides(Integer maxNewTokens, Float temperature) {
        return GenerationOverrides.newBuilder().setMaxNewTokens(maxNewTokens).setTemperature(temperature).setSeed(null)
                .setMinImageTokens(null).setMaxImageTokens(null).build();
    }

    private static ImageEvent withImage(String id, Object image, String prompt, GenerationOverrides overrides) {
        return ImageEvent.newBuilder().setEventId(id).setSourceId("k").setEventTime(Instant.ofEpochMilli(1_700_000_000_000L))
                .setImage(image).setPrompt(prompt).setOverrides(overrides).setAttributes(Map.of()).build();
    }

    // ---- records written with other versions of the ImageEvent schema (registered in the registry) ----

    private static byte[] olderSchemaEvent(String id) {
        Schema v0 = variant(fields -> {
            for (int i = fields.size() - 1; i >= 0; i--) {
                String name = fields.get(i).get("name").asText();
                if (name.equals("prompt") || name.equals("overrides") || name.equals("attributes")) {
                    fields.remove(i);
                }
            }
        });
        return serializeGeneric(genericEvent(v0, id));
    }

    private static byte[] newerSchemaEvent(String id) {
        Schema v2 = variant(fields -> fields.addObject().put("name", "priority").put("type", "int").put("default", 0)
                .put("doc", "added in v2"));
        GenericRecord event = genericEvent(v2, id);
        event.put("prompt", null);
        event.put("overrides", null);
        event.put("attributes", Map.of("v", "2"));
        event.put("priority", 7);
        return serializeGeneric(event);
    }

    private static Schema variant(java.util.function.Consumer<ArrayNode> editFields) {
        try {
            ObjectMapper json = new ObjectMapper();
            ObjectNode schema = (ObjectNode) json.readTree(ImageEvent.getClassSchema().toString());
            editFields.accept((ArrayNode) schema.get("fields"));
            return new Schema.Parser().parse(schema.toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static GenericRecord genericEvent(Schema schema, String id) {
        Schema inlineSchema = schema.getField("image").schema().getTypes().stream()
                .filter(s -> s.getName().equals("InlineImage")).findFirst().orElseThrow();
        GenericRecord inline = new GenericData.Record(inlineSchema);
        inline.put("data", ByteBuffer.wrap(KafkaIo.fixtureImage("green_palette.png")));
        inline.put("media_type", "image/png");
        GenericRecord event = new GenericData.Record(schema);
        event.put("event_id", id);
        event.put("source_id", "k");
        event.put("event_time", 1_700_000_000_000L);
        event.put("image", inline);
        return event;
    }

    private static byte[] serializeGeneric(GenericRecord record) {
        try (GenericAvroSerde serde = new GenericAvroSerde()) {
            serde.configure(registry.clientConfigs(), false);
            return serde.serializer().serialize(IN, record);
        }
    }
}
