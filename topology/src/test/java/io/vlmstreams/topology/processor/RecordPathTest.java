package io.vlmstreams.topology.processor;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.vlmstreams.inference.engine.InferenceRequest;
import io.vlmstreams.schemas.Answer;
import io.vlmstreams.schemas.DeadLetter;
import io.vlmstreams.schemas.DeadLetterReason;
import io.vlmstreams.schemas.ImageEvent;
import io.vlmstreams.schemas.InlineImage;
import io.vlmstreams.schemas.serde.MockSchemaRegistry;
import io.vlmstreams.schemas.serde.SpecificAvroSerde;
import io.vlmstreams.topology.ScriptedEngine;
import io.vlmstreams.topology.config.BatchConfig;
import io.vlmstreams.topology.config.FetchConfig;
import io.vlmstreams.topology.config.PipelineConfig;
import io.vlmstreams.topology.fetch.FetchPolicy;
import io.vlmstreams.topology.fetch.ImageFetcher;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A record's path through the processor: its value is Avro-decoded once, its request built once
 * (the request the image-token estimate saw is the one the batch runs), and bad records become
 * dead letters on arrival with their reason.
 */
class RecordPathTest {

    private static final String SCOPE = "record-path-test";

    private final ScriptedEngine engine = new ScriptedEngine();
    private final AtomicInteger decodes = new AtomicInteger();
    private SpecificAvroSerde<ImageEvent> events;
    private MockProcessorContext<byte[], SpecificRecord> context;
    private BatchingProcessor processor;
    private long offset;

    @BeforeEach
    void start() {
        events = new SpecificAvroSerde<>(ImageEvent.class);
        events.configure(Map.of("schema.registry.url", "mock://" + SCOPE), false);
        context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(1_000);
        KeyValueStore<Long, PendingRequest> store = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore("p-pending"), Serdes.Long(), new PendingRequestSerde())
                .withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        BatchConfig batch = new BatchConfig(3, 1000, Duration.ofMillis(60_000), 100);
        PipelineConfig pipeline = new PipelineConfig("p", List.of("in"), "out", InferenceRequest.Mode.GENERATE,
                "Describe.", List.of(), new PipelineConfig.GenerationDefaults(8, 0, 0, 1, 0, 1), null, null, batch);
        Deserializer<ImageEvent> counting = (topic, bytes) -> {
            decodes.incrementAndGet();
            return events.deserializer().deserialize(topic, bytes);
        };
        RecordDecoder decoder = new RecordDecoder(counting);
        RequestBuilder requests = new RequestBuilder(pipeline);
        DeadLetters letters = new DeadLetters("p", 1024);
        BatchExecutor executor = new BatchExecutor(engine, new ImageFetcher(new FetchPolicy(FetchConfig.defaults())),
                requests, new AnswerMapper("p", "m"), letters);
        processor = new BatchingProcessor(new BatchingProcessor.Wiring("p-pending", "answers", "dead", batch,
                new RecordIntake(decoder, requests, engine, batch), executor, letters));
        processor.init(context);
    }

    @AfterEach
    void stop() {
        events.close();
        MockSchemaRegistry.dropScope(SCOPE);
    }

    private void send(byte[] value) {
        context.setRecordMetadata("in", 0, offset++);
        processor.process(new Record<>("k".getBytes(StandardCharsets.UTF_8), value, 5L));
    }

    private byte[] event(String id, String prompt, byte[] image) {
        return events.serializer().serialize("in", ImageEvent.newBuilder().setEventId(id).setSourceId(null)
                .setEventTime(Instant.EPOCH).setImage(new InlineImage(ByteBuffer.wrap(image), null)).setPrompt(prompt)
                .setOverrides(null).setAttributes(Map.of()).build());
    }

    @Test
    void eachRecordIsDecodedOnceAndItsRequestBuiltOnce() {
        for (String id : List.of("a", "b", "c")) {
            send(event(id, null, new byte[] {1, 2, 3}));
        }
        assertThat(engine.batches).containsExactly(List.of("a", "b", "c"));
        assertThat(decodes).hasValue(3);
        assertThat(engine.ran).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(engine.ran.get(i)).as("the request the batch ran is the one estimated on arrival")
                    .isSameAs(engine.estimated.get(i));
        }
        assertThat(context.forwarded()).extracting(f -> ((Answer) f.record().value()).getEventId().toString())
                .containsExactly("a", "b", "c");
    }

    @Test
    void badRecordsAreDeadLetteredOnArrivalWithTheirReason() {
        send("not avro".getBytes(StandardCharsets.UTF_8));
        send(event("long-prompt", "x".repeat(100_000), new byte[] {1}));
        assertThat(engine.batches).isEmpty();
        assertThat(context.forwarded()).extracting(f -> ((DeadLetter) f.record().value()).getReason())
                .containsExactly(DeadLetterReason.DESERIALIZATION, DeadLetterReason.INVALID_REQUEST);
        assertThat(context.forwarded()).allSatisfy(f -> assertThat(f.childName()).contains("dead"));
    }
}
