package io.vlmstreams.topology;

import java.util.Map;

import io.vlmstreams.inference.engine.InferenceEngine;
import io.vlmstreams.schemas.Answer;
import io.vlmstreams.schemas.DeadLetter;
import io.vlmstreams.schemas.ImageEvent;
import io.vlmstreams.schemas.serde.SchemaRegistryClient;
import io.vlmstreams.schemas.serde.SpecificAvroSerde;
import io.vlmstreams.topology.config.AppConfig;
import io.vlmstreams.topology.config.PipelineConfig;
import io.vlmstreams.topology.fetch.ImageFetcher;
import io.vlmstreams.topology.ops.VlmMetrics;
import io.vlmstreams.topology.processor.AnswerMapper;
import io.vlmstreams.topology.processor.BatchExecutor;
import io.vlmstreams.topology.processor.BatchingProcessor;
import io.vlmstreams.topology.processor.DeadLetters;
import io.vlmstreams.topology.processor.PendingRequestSerde;
import io.vlmstreams.topology.processor.RecordDecoder;
import io.vlmstreams.topology.processor.RecordIntake;
import io.vlmstreams.topology.processor.RequestBuilder;
import io.vlmstreams.topology.processor.SourcePrompts;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds the application's topology: per pipeline, a source over its input topics reading raw
 * bytes (so no record can fail deserialization before the processor sees it), the
 * {@link BatchingProcessor} with its changelogged store, and sinks for answers and dead letters.
 */
public final class VlmTopology {

    private VlmTopology() {
    }

    /** The topology for {@code config}, its meters on a registry of their own (tests). */
    public static Topology build(AppConfig config, InferenceEngine engine, ImageFetcher fetcher,
                                 SchemaRegistryClient registry) {
        return build(config, engine, fetcher, registry, new VlmMetrics());
    }

    /** The topology for {@code config}; every pipeline shares {@code engine}, {@code registry} and {@code metrics}. */
    public static Topology build(AppConfig config, InferenceEngine engine, ImageFetcher fetcher,
                                 SchemaRegistryClient registry, VlmMetrics metrics) {
        Map<String, Object> serdeConfigs = config.serdeConfigs();
        SpecificAvroSerde<ImageEvent> events = new SpecificAvroSerde<>(ImageEvent.class, registry);
        events.configure(serdeConfigs, false);
        SpecificAvroSerde<Answer> answers = new SpecificAvroSerde<>(Answer.class, registry);
        answers.configure(serdeConfigs, false);
        SpecificAvroSerde<DeadLetter> deadLetters = new SpecificAvroSerde<>(DeadLetter.class, registry);
        deadLetters.configure(serdeConfigs, false);
        RecordDecoder decoder = new RecordDecoder(events.deserializer());

        Topology topology = new Topology();
        for (PipelineConfig p : config.pipelines()) {
            String source = p.name() + "-source";
            String batcher = p.name() + "-batcher";
            String answerSink = p.name() + "-answers";
            String deadLetterSink = p.name() + "-dead-letters";
            String store = storeName(p);
            SourcePrompts prompts = sourcePrompts(topology, p);
            RequestBuilder requests = new RequestBuilder(p, prompts);
            DeadLetters letters = new DeadLetters(p.name(), config.deadLetterMaxValueBytes());
            RecordIntake intake = new RecordIntake(decoder, requests, engine, p.batch());
            BatchExecutor executor = new BatchExecutor(engine, fetcher, requests, new AnswerMapper(p.name(), engine.modelId()),
                    letters);
            BatchingProcessor.Wiring wiring = new BatchingProcessor.Wiring(store, answerSink, deadLetterSink, p.batch(),
                    intake, executor, letters, metrics.pipeline(p.name()), p.feed());

            topology.addSource(source, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                    p.inputTopics().toArray(String[]::new));
            topology.addProcessor(batcher, () -> new BatchingProcessor(wiring), source);
            topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(store), Serdes.Long(),
                            new PendingRequestSerde())
                    .withCachingDisabled()
                    .withLoggingEnabled(Map.of("max.message.bytes", String.valueOf(config.changelogMaxMessageBytes()))),
                    batcher);
            topology.addSink(answerSink, p.outputTopic(), new ByteArraySerializer(), as(answers.serializer()), batcher);
            topology.addSink(deadLetterSink, config.deadLetterTopic(), new ByteArraySerializer(),
                    as(deadLetters.serializer()), batcher);
        }
        return topology;
    }

    /**
     * The pipeline's per-source prompts: a global store over its {@code source.prompts.topic} (no
     * changelog: the compacted topic is its own), or {@link SourcePrompts#NONE} without one.
     */
    private static SourcePrompts sourcePrompts(Topology topology, PipelineConfig p) {
        String topic = p.feed().sourcePromptsTopic();
        if (topic == null) {
            return SourcePrompts.NONE;
        }
        SourcePrompts prompts = new SourcePrompts(p.name() + "-source-prompts");
        topology.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(prompts.storeName()),
                        Serdes.String(), Serdes.ByteArray()).withLoggingDisabled(),
                p.name() + "-source-prompts-source", new ByteArrayDeserializer(), new ByteArrayDeserializer(), topic,
                p.name() + "-source-prompts-updater", prompts::updater);
        return prompts;
    }

    /** Name of a pipeline's pending-request store (its changelog is {@code <app>-<store>-changelog}). */
    public static String storeName(PipelineConfig p) {
        return p.name() + "-pending";
    }

    /** Lets a sink fed with {@link SpecificRecord}s use a serializer of one record type. */
    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecord> Serializer<SpecificRecord> as(Serializer<T> serializer) {
        return new Serializer<>() {
            @Override
            public byte[] serialize(String topic, SpecificRecord value) {
                return serializer.serialize(topic, (T) value);
            }

            @Override
            public byte[] serialize(String topic, org.apache.kafka.common.header.Headers headers, SpecificRecord value) {
                return serializer.serialize(topic, headers, (T) value);
            }
        };
    }
}
