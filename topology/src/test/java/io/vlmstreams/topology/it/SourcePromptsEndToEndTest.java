package io.vlmstreams.topology.it;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.vlmstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.vlmstreams.devstack.registry.TestSchemaRegistryServer;
import io.vlmstreams.topology.app.StreamsApp;
import io.vlmstreams.topology.processor.SourcePrompt;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Per-source prompts through a real broker and the tiny model: a compacted topic read as a global
 * store gives one camera a long prompt and a small token limit before the application starts, and
 * re-tasks it while the application runs, without a restart. The answer's {@code prompt_tokens}
 * tells which prompt its frame was asked.
 */
class SourcePromptsEndToEndTest {

    private static final Duration QUIET = Duration.ofSeconds(1);
    private static final Duration LIMIT = Duration.ofSeconds(90);
    private static final String LONG_PROMPT = "Look at this camera frame carefully and describe every vehicle, person, "
            + "animal and sign you can see, with its colour, its position in the frame and what it is doing.";

    @TempDir
    Path temp;

    @Test
    void aCameraIsAskedItsOwnPromptAndIsReTaskedWhileTheApplicationRuns() throws Exception {
        try (EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster().start();
             TestSchemaRegistryServer registry = TestSchemaRegistryServer.start()) {
            for (String topic : List.of("sp-in", "sp-out", "sp-dlq")) {
                kafka.createTopic(topic, 1);
            }
            kafka.createTopic("sp-prompts", 1, Map.of("cleanup.policy", "compact"));
            sendPrompt(kafka, "cam1", new SourcePrompt(LONG_PROMPT, 2).toJson());
            Map<String, String> settings = TestApp.baseSettings(kafka, Map.of("schema.registry.url", registry.url()),
                    temp.resolve("state"), "source-prompts-test");
            settings.putAll(Map.of("dead.letter.topic", "sp-dlq", "pipelines", "sp", "batch.max.size", "1",
                    "batch.linger.ms", "20", "pipeline.sp.input.topics", "sp-in", "pipeline.sp.output.topic", "sp-out",
                    "pipeline.sp.prompt", "Describe this image.", "pipeline.sp.max.new.tokens", "6",
                    "pipeline.sp.source.prompts.topic", "sp-prompts"));
            KafkaIo io = new KafkaIo(kafka.clientProperties(), registry.url());
            byte[] image = KafkaIo.fixtureImage("green_palette.png");
            try (StreamsApp app = TestApp.start(settings)) {
                io.sendRaw("sp-in", List.of(frame(io, "cam1-0", "cam1", image), frame(io, "cam2-0", "cam2", image)));
                List<ConsumerRecord<String, GenericRecord>> first = io.readCommitted("sp-out", 2, QUIET, LIMIT);
                GenericRecord cam1 = answer(first, "cam1-0");
                GenericRecord cam2 = answer(first, "cam2-0");
                int pipelinePromptTokens = (int) cam2.get("prompt_tokens");
                assertThat((int) cam1.get("prompt_tokens")).isGreaterThan(pipelinePromptTokens + 20);
                assertThat((int) cam1.get("generated_tokens")).isBetween(1, 2);

                // re-task cam1 to the pipeline's own prompt; the global thread applies it while frames flow
                sendPrompt(kafka, "cam1", "{\"prompt\": \"Describe this image.\"}".getBytes(StandardCharsets.UTF_8));
                int retaskedAt = -1;
                for (int k = 1; k <= 40 && retaskedAt < 0; k++) {
                    io.sendRaw("sp-in", List.of(frame(io, "cam1-" + k, "cam1", image)));
                    GenericRecord a = answer(io.readCommitted("sp-out", 2 + k, QUIET, LIMIT), "cam1-" + k);
                    if ((int) a.get("prompt_tokens") == pipelinePromptTokens) {
                        retaskedAt = k;
                    }
                }
                System.out.printf("SOURCE PROMPTS TEST: cam1 prompt tokens %d (own prompt) vs %d (pipeline's); "
                        + "re-tasked from frame %d on%n", (int) cam1.get("prompt_tokens"), pipelinePromptTokens, retaskedAt);
                assertThat(retaskedAt).as("a frame after the re-task is asked the new prompt").isPositive();
            }
        }
    }

    private static Map.Entry<String, byte[]> frame(KafkaIo io, String id, String camera, byte[] image) {
        return Map.entry(camera, io.serialize("sp-in", KafkaIo.inline(id, camera, image)));
    }

    private static GenericRecord answer(List<ConsumerRecord<String, GenericRecord>> answers, String id) {
        return answers.stream().map(ConsumerRecord::value).filter(v -> v.get("event_id").toString().equals(id))
                .findFirst().orElseThrow(() -> new AssertionError("no answer to " + id));
    }

    private static void sendPrompt(EmbeddedKafkaCluster kafka, String source, byte[] value) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.clientProperties(),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("sp-prompts", source.getBytes(StandardCharsets.UTF_8), value)).get();
        }
    }
}
