package io.vlmstreams.topology.processor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.vlmstreams.devstack.registry.TestSchemaRegistryServer;
import io.vlmstreams.inference.engine.InferenceResult;
import io.vlmstreams.schemas.Answer;
import io.vlmstreams.schemas.ImageEvent;
import io.vlmstreams.schemas.InlineImage;
import io.vlmstreams.schemas.serde.CompatibilityLevel;
import io.vlmstreams.schemas.serde.GenericAvroSerde;
import io.vlmstreams.schemas.serde.HttpSchemaRegistryClient;
import io.vlmstreams.schemas.serde.RegistryClientConfig;
import io.vlmstreams.schemas.serde.SpecificAvroSerde;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Answer with policy scores ({@code flagged}, {@code policy_scores}, {@code scoring}, the
 * {@code CONSTRAINT_INCOMPLETE} and {@code MODERATED} finish reasons) is registered as a new version
 * over v1 under FULL compatibility on the dev stack's registry, and a reader holding v1 reads the new
 * answers (an unknown finish reason as v1's default, STOP).
 */
class AnswerEvolutionTest {

    private static Schema v1() throws IOException {
        try (InputStream in = AnswerEvolutionTest.class.getResourceAsStream("/avro-history/Answer-v1.avsc")) {
            return new Schema.Parser().parse(in);
        }
    }

    private static Answer moderated() {
        ImageEvent event = ImageEvent.newBuilder().setEventId("e-1").setEventTime(Instant.ofEpochMilli(1_000))
                .setImage(new InlineImage(ByteBuffer.wrap(new byte[] {1}), null)).setAttributes(Map.of("camera", "7")).build();
        InferenceResult result = new InferenceResult("e-1", "violence", List.of(), InferenceResult.FinishReason.MODERATED,
                new long[] {1, 2, 3}, 2, new long[0], new InferenceResult.StageTimings(1, 2, 3, 4),
                List.of(new InferenceResult.PolicyScore("violence", 0.91, 0.5, true),
                        new InferenceResult.PolicyScore("nudity", 0.02, 0.5, false)), true, InferenceResult.POLICY_YES_NO);
        return new AnswerMapper("mod", "tiny").toAnswer(event, result, 5);
    }

    @Test
    void theNewAnswerRegistersCompatiblyAndTheV1ReaderReadsIt() throws IOException {
        try (TestSchemaRegistryServer server = TestSchemaRegistryServer.start()) {
            HttpSchemaRegistryClient client = new HttpSchemaRegistryClient(RegistryClientConfig.of(server.url()));
            int v1Id = client.register("answers-value", v1());
            client.setCompatibility("answers-value", CompatibilityLevel.FULL_TRANSITIVE);
            Answer answer = moderated();
            byte[] bytes;
            try (SpecificAvroSerde<Answer> serde = new SpecificAvroSerde<>(Answer.class, client)) {
                serde.configure(Map.of("schema.registry.url", server.url()), false);
                bytes = serde.serializer().serialize("answers", answer);
                assertThat(serde.deserializer().deserialize("answers", bytes)).isEqualTo(answer);
            }
            assertThat(client.getId("answers-value", Answer.getClassSchema())).isNotEqualTo(v1Id);

            try (GenericAvroSerde old = new GenericAvroSerde(v1(), client)) {
                old.configure(Map.of("schema.registry.url", server.url()), false);
                GenericRecord read = old.deserializer().deserialize("answers", bytes);
                assertThat(read.getSchema()).isEqualTo(v1());
                assertThat(read.get("event_id").toString()).isEqualTo("e-1");
                assertThat(read.get("text").toString()).isEqualTo("violence");
                assertThat(read.get("finish_reason").toString()).isEqualTo("STOP");
                assertThat(read.getSchema().getField("policy_scores")).isNull();
            }
            System.out.println("moderated answer: " + answer);
        }
    }
}
