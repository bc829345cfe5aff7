package io.vlmstreams.topology.processor;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.vlmstreams.schemas.Answer;
import io.vlmstreams.schemas.DeadLetter;
import io.vlmstreams.schemas.DeadLetterReason;
import io.vlmstreams.schemas.GenerationOverrides;
import io.vlmstreams.schemas.ImageEvent;
import io.vlmstreams.schemas.InlineImage;
import io.vlmstreams.schemas.serde.MockSchemaRegistry;
import io.vlmstreams.topology.ScriptedEngine;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Camera-feed rules through the real topology on TopologyTestDriver, its wall clock mocked: stale
 * frames (on arrival and when their batch would start), one pending frame per source, round-robin
 * batches that keep each source's order, and per-source prompts changed while running.
 */
class CameraFeedTopologyTest {

    private static final String SCOPE = "camera-feed-topology-test";
    private static final long START = 1_000_000;

    private final ScriptedEngine engine = new ScriptedEngine();
    private TopologyUnderTest topology;
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> input;
    private TestOutputTopic<byte[], Answer> output;
    private TestOutputTopic<byte[], DeadLetter> dlq;

    private void start(Map<String, String> feed) {
        Map<String, String> settings = new HashMap<>();
        feed.forEach((k, v) -> settings.put("pipeline.p." + k, v));
        // the test driver commits at once: no delivery margin, so the boundaries below are exact
        topology = new TopologyUnderTest(SCOPE, "camera-feed-test", engine, settings,
                Map.of("commit.interval.ms", "0", "producer.linger.ms", "0"), START);
        driver = topology.driver;
        input = topology.input;
        output = topology.output;
        dlq = topology.dlq;
    }

    @AfterEach
    void stop() {
        if (topology != null) {
            topology.close();
        }
        MockSchemaRegistry.dropScope(SCOPE);
    }

    @Test
    void aFrameOlderThanTheLimitOnArrivalIsDeadLetteredStaleAndNeverRun() {
        start(Map.of("max.event.age.ms", "1000"));
        send("old", "cam1", START - 1_001);
        send("a", "cam1", START - 1_000);
        send("b", "cam2", START);
        send("c", "cam3", START);

        assertThat(engine.batches).containsExactly(List.of("a", "b", "c"));
        List<DeadLetter> letters = dlq.readValuesToList();
        assertThat(letters).extracting(DeadLetter::getReason).containsExactly(DeadLetterReason.STALE);
        assertThat(letters.get(0).getEventId().toString()).isEqualTo("old");
        assertThat(letters.get(0).getMessage().toString()).contains("1001 ms old", "max.event.age.ms 1000");
        assertThat(letters.get(0).getSourceOffset()).isZero();
        assertThat(output.readValuesToList()).extracting(a -> a.getEventId().toString()).containsExactly("a", "b", "c");
    }

    @Test
    void aFrameThatWentStaleWhileWaitingIsDeadLetteredWhenItsBatchWouldStart() {
        start(Map.of("max.event.age.ms", "1200"));
        send("a", "cam1", START);
        driver.advanceWallClockTime(Duration.ofMillis(400));
        send("b", "cam2", START + 400);
        // the tick at the linger finds a 1,500 ms old frame and a 1,100 ms old one
        driver.advanceWallClockTime(Duration.ofMillis(1_100));

        assertThat(dlq.readValuesToList()).extracting(d -> d.getEventId().toString() + ":" + d.getReason())
                .containsExactly("a:STALE");
        assertThat(engine.batches).containsExactly(List.of("b"));
        assertThat(output.readValuesToList()).extracting(a -> a.getEventId().toString()).containsExactly("b");
        assertThat(driver.getKeyValueStore("p-pending").approximateNumEntries()).isZero();
    }

    @Test
    void aNewerFrameOfASourceSupersedesItsPendingOneAndAnOlderOneIsItselfSuperseded() {
        start(Map.of("latest.per.source", "true"));
        send("f1", "cam1", START - 300);
        send("g1", "cam2", START - 300);
        send("f2", "cam1", START - 200);
        send("f0", "cam1", START - 900); // arrives late, older than the pending f2
        send("n1", null, START);
        send("n2", null, START);

        assertThat(driver.getKeyValueStore("p-pending").approximateNumEntries()).isEqualTo(4);
        List<DeadLetter> letters = dlq.readValuesToList();
        assertThat(letters).extracting(d -> d.getEventId().toString() + ":" + d.getReason())
                .containsExactly("f1:SUPERSEDED", "f0:SUPERSEDED");
        assertThat(letters.get(0).getMessage().toString()).isEqualTo("superseded by event f2 of source cam1");
        assertThat(letters.get(0).getSourceOffset()).isZero();
        assertThat(engine.batches).isEmpty();

        driver.advanceWallClockTime(Duration.ofMillis(1_000));
        driver.advanceWallClockTime(Duration.ofMillis(500));
        assertThat(engine.batches).containsExactly(List.of("g1", "f2", "n1"), List.of("n2"));
        // every frame accounted for once: 4 answers + 2 dead letters = 6 sent
        assertThat(output.readValuesToList()).extracting(a -> a.getEventId().toString())
                .containsExactly("g1", "f2", "n1", "n2");
        assertThat(driver.getKeyValueStore("p-pending").approximateNumEntries()).isZero();
    }

    @Test
    void roundRobinBatchesTakeOneFramePerSourceInTurnAndKeepEachSourcesOrder() {
        start(Map.of("source.round.robin", "true", "batch.max.size", "2"));
        send("a1", "a", START);
        send("a2", "a", START);
        send("a3", "a", START);
        send("b1", "b", START);
        send("c1", "c", START);
        assertThat(engine.batches).isEmpty();

        driver.advanceWallClockTime(Duration.ofMillis(500));
        assertThat(engine.batches).containsExactly(List.of("a1", "b1"));
        driver.advanceWallClockTime(Duration.ofMillis(500));
        assertThat(engine.batches).containsExactly(List.of("a1", "b1"), List.of("a2", "c1"));
        driver.advanceWallClockTime(Duration.ofMillis(500));
        assertThat(engine.batches).containsExactly(List.of("a1", "b1"), List.of("a2", "c1"), List.of("a3"));
        assertThat(output.readValuesToList()).extracting(a -> a.getEventId().toString())
                .containsExactly("a1", "b1", "a2", "c1", "a3");
    }

    @Test
    void theReadAheadStoreRunsABatchItselfWhenItHoldsFourBatches() {
        start(Map.of("source.round.robin", "true", "batch.max.size", "2"));
        for (int i = 1; i <= 7; i++) {
            send("a" + i, "a", START);
        }
        assertThat(engine.batches).isEmpty();
        send("b1", "b", START);
        assertThat(engine.batches).containsExactly(List.of("a1", "b1"));
    }

    @Test
    void perSourcePromptsApplyToFramesTakenInAfterTheTableChangesAndAnEventsOwnPromptWins() {
        start(Map.of("source.prompts.topic", "prompts", "batch.max.size", "1"));
        TestInputTopic<byte[], byte[]> prompts = driver.createInputTopic("prompts", new ByteArraySerializer(),
                new ByteArraySerializer());
        prompts.pipeInput(bytes("cam1"), new SourcePrompt("Count the cars.", 7).toJson());
        send("a", "cam1", START);
        send("b", "cam2", START);
        sendWith("c", "cam1", "What colour is the sky?", 3);
        prompts.pipeInput(bytes("cam1"), "{\"prompt\": \"Count the people.\"}".getBytes(StandardCharsets.UTF_8));
        prompts.pipeInput(bytes("cam2"), "not json".getBytes(StandardCharsets.UTF_8)); // skipped, logged
        send("d", "cam1", START);
        send("e", "cam2", START);
        prompts.pipeInput(bytes("cam1"), (byte[]) null);
        send("f", "cam1", START);

        assertThat(engine.ran).extracting(r -> r.requestId() + "|" + r.prompt() + "|" + r.generation().maxNewTokens())
                .containsExactly("a|Count the cars.|7", "b|Describe.|64", "c|What colour is the sky?|3",
                        "d|Count the people.|64", "e|Describe.|64", "f|Describe.|64");
        assertThat(output.readValuesToList()).hasSize(6);
    }

    private void send(String id, String source, long eventTimeMs) {
        sendEvent(event(id, source, eventTimeMs, null, null));
    }

    private void sendWith(String id, String source, String prompt, int maxNewTokens) {
        sendEvent(event(id, source, START, prompt,
                GenerationOverrides.newBuilder().setMaxNewTokens(maxNewTokens).setTemperature(null).setSeed(null)
                        .setMinImageTokens(null).setMaxImageTokens(null).build()));
    }

    private static ImageEvent event(String id, String source, long eventTimeMs, String prompt, GenerationOverrides o) {
        return ImageEvent.newBuilder().setEventId(id).setSourceId(source).setEventTime(Instant.ofEpochMilli(eventTimeMs))
                .setImage(new InlineImage(ByteBuffer.wrap(new byte[10]), "image/png")).setPrompt(prompt).setOverrides(o)
                .setAttributes(Map.of()).build();
    }

    private void sendEvent(ImageEvent event) {
        byte[] key = event.getSourceId() == null ? null : bytes(event.getSourceId().toString());
        input.pipeInput(new TestRecord<>(key, topology.serialize(event), null, (Long) null));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
