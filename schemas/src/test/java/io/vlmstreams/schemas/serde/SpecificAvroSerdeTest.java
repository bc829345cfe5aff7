package io.vlmstreams.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;

import io.vlmstreams.schemas.Answer;
import io.vlmstreams.schemas.DeadLetter;
import io.vlmstreams.schemas.ImageEvent;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

class SpecificAvroSerdeTest {

    private String scope;

    private Map<String, Object> configs(TestInfo test) {
        scope = "specific-" + test.getDisplayName();
        Map<String, Object> configs = new HashMap<>();
        configs.put("schema.registry.url", "mock://" + scope);
        return configs;
    }

    @AfterEach
    void dropScope() {
        if (scope != null) {
            MockSchemaRegistry.dropScope(scope);
        }
    }

    private static <T extends SpecificRecord> T roundTrip(SpecificAvroSerde<T> serde, String topic, T value) {
        byte[] bytes = serde.serializer().serialize(topic, value);
        assertThat(bytes[0]).isEqualTo(ConfluentWireFormat.MAGIC_BYTE);
        return serde.deserializer().deserialize(topic, bytes);
    }

    @Test
    void roundTripsEveryContract(TestInfo test) {
        Map<String, Object> configs = configs(test);
        try (var events = new SpecificAvroSerde<>(ImageEvent.class);
             var answers = new SpecificAvroSerde<>(Answer.class);
             var deadLetters = new SpecificAvroSerde<>(DeadLetter.class)) {
            events.configure(configs, false);
            answers.configure(configs, false);
            deadLetters.configure(configs, false);

            assertThat(roundTrip(events, "images", Samples.inlineEvent())).isEqualTo(Samples.inlineEvent());
            assertThat(roundTrip(events, "images", Samples.referenceEvent())).isEqualTo(Samples.referenceEvent());
            assertThat(roundTrip(answers, "answers", Samples.answer())).isEqualTo(Samples.answer());
            assertThat(roundTrip(deadLetters, "dead-letters", Samples.deadLetter())).isEqualTo(Samples.deadLetter());
        }
        MockSchemaRegistry registry = MockSchemaRegistry.forScope(scope);
        assertThat(registry.getSubjects()).containsExactlyInAnyOrder("images-value", "answers-value", "dead-letters-value");
        assertThat(registry.getLatest("answers-value").schema()).isEqualTo(Answer.getClassSchema());
    }

    @Test
    void keySerdeRegistersUnderKeySubject(TestInfo test) {
        Map<String, Object> configs = configs(test);
        try (var serde = new SpecificAvroSerde<ImageEvent>(ImageEvent.getClassSchema())) {
            serde.configure(configs, true);
            assertThat(roundTrip(serde, "images", Samples.referenceEvent())).isEqualTo(Samples.referenceEvent());
        }
        assertThat(MockSchemaRegistry.forScope(scope).getSubjects()).containsExactly("images-key");
    }

    @Test
    void nullIsATombstoneBothWays(TestInfo test) {
        try (var serde = new SpecificAvroSerde<>(ImageEvent.class)) {
            serde.configure(configs(test), false);
            assertThat(serde.serializer().serialize("images", null)).isNull();
            assertThat(serde.deserializer().deserialize("images", null)).isNull();
        }
    }

    @Test
    void withoutAutoRegisterAnUnregisteredSchemaFails(TestInfo test) {
        Map<String, Object> configs = configs(test);
        configs.put("auto.register.schemas", "false");
        try (var serde = new SpecificAvroSerde<>(ImageEvent.class)) {
            serde.configure(configs, false);
            assertThatThrownBy(() -> serde.serializer().serialize("images", Samples.inlineEvent()))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("not registered under subject 'images-value'")
                    .hasCauseInstanceOf(SchemaNotFoundException.class);

            int id = MockSchemaRegistry.forScope(scope).register("images-value", ImageEvent.getClassSchema());
            byte[] bytes = serde.serializer().serialize("images", Samples.inlineEvent());
            assertThat(ConfluentWireFormat.schemaId("images", bytes)).isEqualTo(id);
        }
    }

    @Test
    void unknownSchemaIdIsAClearSerializationException(TestInfo test) {
        try (var serde = new SpecificAvroSerde<>(ImageEvent.class)) {
            serde.configure(configs(test), false);
            byte[] bytes = {0, 0, 0, 0x30, 0x39, 2, 3};
            assertThatThrownBy(() -> serde.deserializer().deserialize("images", bytes))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("Unknown schema id 12345")
                    .hasMessageContaining("'images'")
                    .hasCauseInstanceOf(SchemaNotFoundException.class);
        }
    }

    @Test
    void badBytesAreClearSerializationExceptions(TestInfo test) {
        try (var serde = new SpecificAvroSerde<>(ImageEvent.class)) {
            serde.configure(configs(test), false);
            var deserializer = serde.deserializer();
            assertThatThrownBy(() -> deserializer.deserialize("images", new byte[0]))
                    .isInstanceOf(SerializationException.class).hasMessageContaining("too short");
            assertThatThrownBy(() -> deserializer.deserialize("images", "{\"event_id\":1}".getBytes()))
                    .isInstanceOf(SerializationException.class).hasMessageContaining("unknown magic byte");

            byte[] good = serde.serializer().serialize("images", Samples.inlineEvent());
            byte[] truncated = java.util.Arrays.copyOf(good, good.length - 10);
            assertThatThrownBy(() -> deserializer.deserialize("images", truncated))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("Cannot decode Avro record with schema id 1 from topic 'images'");
        }
    }

    @Test
    void unconfiguredSerdeSaysSo() {
        try (var serde = new SpecificAvroSerde<>(ImageEvent.class)) {
            assertThatThrownBy(() -> serde.serializer().serialize("images", Samples.inlineEvent()))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("configure");
        }
    }

    @Test
    void otherSubjectNameStrategiesAreRejected(TestInfo test) {
        Map<String, Object> configs = configs(test);
        configs.put("value.subject.name.strategy", "io.confluent.kafka.serializers.subject.RecordNameStrategy");
        try (var serde = new SpecificAvroSerde<>(ImageEvent.class)) {
            assertThatThrownBy(() -> serde.configure(configs, false))
                    .isInstanceOf(org.apache.kafka.common.config.ConfigException.class)
                    .hasMessageContaining("TopicNameStrategy");
        }
    }
}
