package io.vlmstreams.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vlmstreams.schemas.ImageEvent;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Readers compiled against ImageEvent v1 and producers on a v2 with an added, defaulted field. */
class SchemaEvolutionTest {

    private static final String SCOPE = "evolution";
    private static final Map<String, Object> CONFIGS = Map.of("schema.registry.url", "mock://" + SCOPE);

    /** ImageEvent v2: v1 plus {@code priority: int = 0}. */
    private static final Schema V2 = withAddedField("""
            {"name": "priority", "type": "int", "default": 0, "doc": "Added in v2."}""");

    @AfterEach
    void drop() {
        MockSchemaRegistry.dropScope(SCOPE);
    }

    @Test
    void oldReaderReadsNewWriterData() throws IOException {
        GenericRecord v2Event = asV2(Samples.inlineEvent());
        v2Event.put("priority", 5);
        try (var v2Serde = new GenericAvroSerde(); var v1Serde = new SpecificAvroSerde<>(ImageEvent.class)) {
            v2Serde.configure(CONFIGS, false);
            v1Serde.configure(CONFIGS, false);
            byte[] bytes = v2Serde.serializer().serialize("images", v2Event);

            assertThat(v1Serde.deserializer().deserialize("images", bytes)).isEqualTo(Samples.inlineEvent());
        }
        assertThat(MockSchemaRegistry.forScope(SCOPE).getLatest("images-value").schema()).isEqualTo(V2);
    }

    @Test
    void newReaderReadsOldWriterDataWithTheDefault() throws IOException {
        try (var v1Serde = new SpecificAvroSerde<>(ImageEvent.class); var v2Serde = new GenericAvroSerde(V2, null)) {
            v1Serde.configure(CONFIGS, false);
            v2Serde.configure(CONFIGS, false);
            byte[] bytes = v1Serde.serializer().serialize("images", Samples.referenceEvent());

            GenericRecord read = v2Serde.deserializer().deserialize("images", bytes);
            assertThat(read.getSchema()).isEqualTo(V2);
            assertThat(read.get("priority")).isEqualTo(0);
            assertThat(read).isEqualTo(asV2(Samples.referenceEvent()));
        }
    }

    @Test
    void useLatestVersionWritesOldObjectsWithTheNewSchema() throws IOException {
        int v2Id = MockSchemaRegistry.forScope(SCOPE).register("images-value", V2);
        Map<String, Object> configs = Map.of("schema.registry.url", "mock://" + SCOPE,
                "auto.register.schemas", false, "use.latest.version", true);
        try (var v1Serde = new SpecificAvroSerde<>(ImageEvent.class); var reader = new GenericAvroSerde()) {
            v1Serde.configure(configs, false);
            reader.configure(configs, false);
            byte[] bytes = v1Serde.serializer().serialize("images", Samples.inlineEvent());

            assertThat(ConfluentWireFormat.schemaId("images", bytes)).isEqualTo(v2Id);
            assertThat(reader.deserializer().deserialize("images", bytes)).isEqualTo(asV2(Samples.inlineEvent()));
            assertThat(v1Serde.deserializer().deserialize("images", bytes)).isEqualTo(Samples.inlineEvent());
        }
    }

    @Test
    void incompatibleChangeIsRefusedUnderBackwardCompatibility() throws IOException {
        Schema v3 = withAddedField("""
                {"name": "tenant", "type": "string"}""");
        try (var v1Serde = new SpecificAvroSerde<>(ImageEvent.class); var v3Serde = new GenericAvroSerde()) {
            v1Serde.configure(CONFIGS, false);
            v3Serde.configure(CONFIGS, false);
            v1Serde.serializer().serialize("images", Samples.inlineEvent());
            GenericRecord v3Event = resolve(Samples.inlineEvent(), withAddedField("""
                    {"name": "tenant", "type": "string", "default": "x"}"""));
            GenericRecord strict = new org.apache.avro.generic.GenericData.Record(v3);
            v3.getFields().forEach(f -> strict.put(f.name(), v3Event.get(f.name())));

            assertThatThrownBy(() -> v3Serde.serializer().serialize("images", strict))
                    .isInstanceOf(SerializationException.class)
                    .hasMessageContaining("images-value")
                    .hasMessageContaining("tenant")
                    .hasCauseInstanceOf(IncompatibleSchemaException.class);
        }
    }

    private static GenericRecord asV2(ImageEvent event) throws IOException {
        return resolve(event, V2);
    }

    /** Re-expresses a v1 event in another ImageEvent schema through Avro resolution. */
    private static GenericRecord resolve(ImageEvent event, Schema target) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<ImageEvent>(ImageEvent.getClassSchema()).write(event, encoder);
        encoder.flush();
        return new GenericDatumReader<GenericRecord>(ImageEvent.getClassSchema(), target)
                .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    }

    private static Schema withAddedField(String fieldJson) {
        try {
            ObjectMapper json = new ObjectMapper();
            ObjectNode schema = (ObjectNode) json.readTree(ImageEvent.getClassSchema().toString());
            ((ArrayNode) schema.get("fields")).add(json.readTree(fieldJson));
            return new Schema.Parser().parse(schema.toString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
