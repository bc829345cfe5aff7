package io.vlmstreams.topology.processor;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.vlmstreams.schemas.Answer;
import io.vlmstreams.schemas.DeadLetter;
import io.vlmstreams.schemas.DeadLetterReason;
import io.vlmstreams.schemas.ImageEvent;
import io.vlmstreams.schemas.InlineImage;
import io.vlmstreams.topology.ScriptedEngine;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Batching rules through the real topology on TopologyTestDriver: size, image-token budget, linger, bad records. */
class BatchingTopologyTest {

    private static final String SCOPE = "batching-topology-test";

    private final ScriptedEngine engine = new ScriptedEngine();
    private TopologyUnderTest topology;
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> input;
    private TestOutputTopic<byte[], Answer> output;
    private TestOutputTopic<byte[], DeadLetter> dlq;

    @BeforeEach
    void start() {
        topology = new TopologyUnderTest(SCOPE, "batching-test", engine, Map.of(), Map.of(), 1_000_000);
        driver = topology.driver;
        input = topology.input;
        output = topology.output;
        dlq = topology.dlq;
    }

    @AfterEach
    void stop() {
        topology.close();
    }

    @Test
    void aBatchRunsWhenItReachesItsSize() {
        send("a", 10);
        send("b", 10);
        assertThat(engine.batches).isEmpty();
        assertThat(output.isEmpty()).isTrue();
        send("c", 10);
        assertThat(engine.batches).containsExactly(List.of("a", "b", "c"));
        List<TestRecord<byte[], Answer>> out = output.readRecordsToList();
        assertThat(out).extracting(r -> r.value().getEventId().toString()).containsExactly("a", "b", "c");
        TestRecord<byte[], Answer> first = out.get(0);
        assertThat(new String(first.key(), StandardCharsets.UTF_8)).isEqualTo("key-a");
        assertThat(first.timestamp()).isEqualTo(5_000L);
        assertThat(new String(first.headers().lastHeader("trace").value(), StandardCharsets.UTF_8)).isEqualTo("t-a");
        assertThat(first.value().getPipeline().toString()).isEqualTo("p");
        assertThat(first.value().getModelId().toString()).isEqualTo("scripted");
        assertThat(first.value().getImageTokens()).isEqualTo(10);
        assertThat(first.value().getAttributes()).containsEntry("camera", "a");
        assertThat(first.value().getText().toString()).endsWith("seed " + RequestBuilder.seedOf("a"));
    }

    @Test
    void aBatchRunsBeforeARequestWouldOverflowTheImageTokenBudget() {
        send("a", 60);
        send("b", 30);
        assertThat(engine.batches).isEmpty();
        send("c", 40);
        assertThat(engine.batches).containsExactly(List.of("a", "b"));
        send("d", 60);
        assertThat(engine.batches).containsExactly(List.of("a", "b"), List.of("c", "d"));
        assertThat(output.readRecordsToList()).extracting(r -> r.value().getEventId().toString())
                .containsExactly("a", "b", "c", "d");
    }

    @Test
    void aPartialBatchRunsWhenTheOldestRequestHasLingered() {
        send("a", 10);
        driver.advanceWallClockTime(Duration.ofMillis(400));
        send("b", 10);
        driver.advanceWallClockTime(Duration.ofMillis(500));
        assertThat(engine.batches).isEmpty();
        driver.advanceWallClockTime(Duration.ofMillis(200));
        assertThat(engine.batches).containsExactly(List.of("a", "b"));
        assertThat(output.readRecordsToList()).extracting(r -> r.value().getEventId().toString())
                .containsExactly("a", "b");
        assertThat(driver.getKeyValueStore("p-pending").approximateNumEntries()).isZero();
    }

    @Test
    void undecodableRecordsAndFailingImagesBecomeDeadLettersWhileTheirBatchMatesAreAnswered() {
        byte[] garbage = "definitely not avro".getBytes(StandardCharsets.UTF_8);
        input.pipeInput(new TestRecord<>("k1".getBytes(StandardCharsets.UTF_8), garbage));
        byte[] unknownSchema = {0, 0, 0, 0x7f, 0x7f, 1, 2, 3};
        input.pipeInput(new TestRecord<>("k2".getBytes(StandardCharsets.UTF_8), unknownSchema));
        send("a", 10);
        sendImage("bad", "BAD image".getBytes(StandardCharsets.ISO_8859_1));
        send("c", 10);

        assertThat(output.readRecordsToList()).extracting(r -> r.value().getEventId().toString())
                .containsExactly("a", "c");
        List<DeadLetter> letters = dlq.readValuesToList();
        assertThat(letters).extracting(DeadLetter::getReason).containsExactly(
                DeadLetterReason.DESERIALIZATION, DeadLetterReason.DESERIALIZATION, DeadLetterReason.IMAGE_UNDECODABLE);
        DeadLetter first = letters.get(0);
        assertThat(first.getSourceTopic().toString()).isEqualTo("in");
        assertThat(first.getSourceOffset()).isEqualTo(0L);
        assertThat(first.getOriginalValueSize()).isEqualTo(garbage.length);
        assertThat(first.getOriginalValue()).isEqualTo(ByteBuffer.wrap(garbage));
        assertThat(letters.get(1).getMessage().toString()).contains("schema");
        assertThat(letters.get(2).getEventId().toString()).isEqualTo("bad");
        assertThat(letters.get(2).getSourceOffset()).isEqualTo(3L);
    }

    private void send(String id, int tokens) {
        sendImage(id, new byte[tokens]);
    }

    private void sendImage(String id, byte[] image) {
        ImageEvent event = ImageEvent.newBuilder().setEventId(id).setSourceId("cam").setEventTime(Instant.EPOCH)
                .setImage(new InlineImage(ByteBuffer.wrap(image), "image/png")).setPrompt(null).setOverrides(null)
                .setAttributes(Map.of("camera", id)).build();
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace", ("t-" + id).getBytes(StandardCharsets.UTF_8));
        input.pipeInput(new TestRecord<>(("key-" + id).getBytes(StandardCharsets.UTF_8),
                topology.serialize(event), headers, 5_000L));
    }
}
