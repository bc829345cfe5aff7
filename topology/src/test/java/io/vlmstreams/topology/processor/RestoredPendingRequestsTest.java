package io.vlmstreams.topology.processor;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.vlmstreams.schemas.Answer;
import io.vlmstreams.schemas.DeadLetter;
import io.vlmstreams.schemas.DeadLetterReason;
import io.vlmstreams.schemas.ImageEvent;
import io.vlmstreams.schemas.InlineImage;
import io.vlmstreams.schemas.serde.MockSchemaRegistry;
import io.vlmstreams.schemas.serde.SpecificAvroSerde;
import io.vlmstreams.topology.ScriptedEngine;
import io.vlmstreams.topology.config.BatchConfig;
import io.vlmstreams.topology.config.PipelineConfig;
import io.vlmstreams.inference.engine.InferenceRequest;
import io.vlmstreams.topology.config.FetchConfig;
import io.vlmstreams.topology.fetch.FetchPolicy;
import io.vlmstreams.topology.fetch.ImageFetcher;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests found in the store at init (after a restore or a rebalance) are decoded once there and run
 * at the first tick, in order; an entry that no longer decodes becomes a dead letter then.
 */
class RestoredPendingRequestsTest {

    private static final String SCOPE = "restored-pending-test";

    @AfterEach
    void dropRegistry() {
        MockSchemaRegistry.dropScope(SCOPE);
    }

    @Test
    void pendingEntriesFoundAtInitAreAnsweredAtTheFirstTickAndDeleted() {
        Map<String, Object> configs = Map.of("schema.registry.url", "mock://" + SCOPE);
        try (SpecificAvroSerde<ImageEvent> events = new SpecificAvroSerde<>(ImageEvent.class)) {
            events.configure(configs, false);
            MockProcessorContext<byte[], SpecificRecord> context = new MockProcessorContext<>();
            KeyValueStore<Long, PendingRequest> store = Stores.keyValueStoreBuilder(
                    Stores.inMemoryKeyValueStore("p-pending"), Serdes.Long(), new PendingRequestSerde())
                    .withLoggingDisabled().build();
            store.init(context.getStateStoreContext(), store);
            context.addStateStore(store);
            // a value no reader can decode, as a changed registry could leave behind
            store.put(6L, new PendingRequest("k".getBytes(), "not avro".getBytes(), 41L, List.of(), "in", 0, 6, 0L, 100));
            for (long seq = 7; seq < 9; seq++) {
                String id = "restored-" + seq;
                byte[] value = events.serializer().serialize("in", ImageEvent.newBuilder().setEventId(id)
                        .setSourceId(null).setEventTime(Instant.EPOCH)
                        .setImage(new InlineImage(ByteBuffer.wrap(new byte[5]), null)).setPrompt(null)
                        .setOverrides(null).setAttributes(Map.of()).build());
                store.put(seq, new PendingRequest(id.getBytes(), value, 42L, List.of(), "in", 0, seq, 0L, 5));
            }

            ScriptedEngine engine = new ScriptedEngine();
            PipelineConfig pipeline = new PipelineConfig("p", List.of("in"), "out", InferenceRequest.Mode.GENERATE,
                    "Describe.", List.of(), new PipelineConfig.GenerationDefaults(8, 0, 0, 1, 0, 1), null, null,
                    new BatchConfig(8, 1000, Duration.ofMillis(60_000), 100));
            AtomicInteger decodes = new AtomicInteger();
            Deserializer<ImageEvent> counting = (topic, bytes) -> {
                decodes.incrementAndGet();
                return events.deserializer().deserialize(topic, bytes);
            };
            RecordDecoder decoder = new RecordDecoder(counting);
            RequestBuilder requests = new RequestBuilder(pipeline);
            DeadLetters letters = new DeadLetters("p", 1024);
            BatchExecutor executor = new BatchExecutor(engine, new ImageFetcher(new FetchPolicy(FetchConfig.defaults())),
                    requests, new AnswerMapper("p", "m"), letters);
            BatchingProcessor processor = new BatchingProcessor(new BatchingProcessor.Wiring("p-pending", "answers",
                    "dead", pipeline.batch(), new RecordIntake(decoder, requests, engine, pipeline.batch()), executor, letters));
            context.setCurrentSystemTimeMs(1_000);
            processor.init(context);
            assertThat(engine.batches).isEmpty();

            context.scheduledPunctuators().get(0).getPunctuator().punctuate(1_000);

            assertThat(engine.batches).containsExactly(List.of("restored-7", "restored-8"));
            assertThat(decodes).as("each entry decoded once, at init").hasValue(3);
            List<MockProcessorContext.CapturedForward<? extends byte[], ? extends SpecificRecord>> forwarded = context.forwarded();
            assertThat(forwarded).hasSize(3);
            assertThat(forwarded.get(0).childName()).contains("dead");
            DeadLetter letter = (DeadLetter) forwarded.get(0).record().value();
            assertThat(letter.getReason()).isEqualTo(DeadLetterReason.DESERIALIZATION);
            assertThat(letter.getSourceOffset()).isEqualTo(6L);
            assertThat(forwarded.subList(1, 3)).extracting(f -> ((Answer) f.record().value()).getEventId().toString())
                    .containsExactly("restored-7", "restored-8");
            assertThat(forwarded.subList(1, 3)).allSatisfy(f -> {
                assertThat(f.childName()).contains("answers");
                assertThat(f.record().timestamp()).isEqualTo(42L);
            });
            assertThat(store.approximateNumEntries()).isZero();
        }
    }
}
