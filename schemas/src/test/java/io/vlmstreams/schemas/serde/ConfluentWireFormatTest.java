package io.vlmstreams.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;

import io.vlmstreams.schemas.ImageEvent;
import io.vlmstreams.schemas.InlineImage;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/**
 * Golden bytes worked out by hand from the documented formats: Confluent's framing (magic 0,
 * big-endian int id) and Avro binary (zig-zag varints, length-prefixed strings, union branch index).
 */
class ConfluentWireFormatTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void headerIsMagicZeroThenBigEndianId() {
        assertThat(HEX.formatHex(ConfluentWireFormat.header(0x12345678))).isEqualTo("0012345678");
        assertThat(HEX.formatHex(ConfluentWireFormat.header(42))).isEqualTo("000000002a");
        assertThat(ConfluentWireFormat.schemaId("t", HEX.parseHex("000000002a04"))).isEqualTo(42);
    }

    @Test
    void genericRecordHasGoldenBytes() {
        Schema tiny = new Schema.Parser().parse("""
                {"type":"record","name":"Tiny","namespace":"t","fields":[
                  {"name":"id","type":"string"},{"name":"n","type":"int"},{"name":"ok","type":"boolean"}]}""");
        GenericRecord record = new GenericData.Record(tiny);
        record.put("id", "ab");
        record.put("n", -2);
        record.put("ok", true);
        MockSchemaRegistry registry = new MockSchemaRegistry(); // a fresh registry: first id is 1
        try (GenericAvroSerde serde = new GenericAvroSerde(registry)) {
            serde.configure(Map.of("schema.registry.url", "mock://unused"), false);
            byte[] bytes = serde.serializer().serialize("tiny", record);
            // 00 | 00000001 | "ab" = len 2 (zig-zag 04) 61 62 | -2 (zig-zag 03) | true 01
            assertThat(HEX.formatHex(bytes)).isEqualTo("00" + "00000001" + "046162" + "03" + "01");
            assertThat(serde.deserializer().deserialize("tiny", bytes)).isEqualTo(record);
        }
    }

    @Test
    void imageEventHasGoldenBytes() {
        ImageEvent event = ImageEvent.newBuilder()
                .setEventId("e1")
                .setEventTime(Instant.ofEpochMilli(1000))
                .setImage(InlineImage.newBuilder().setData(ByteBuffer.wrap(new byte[] {1, 2, 3})).build())
                .setPrompt("hi")
                .setAttributes(Map.of("k", "v"))
                .build();
        try (SpecificAvroSerde<ImageEvent> serde = new SpecificAvroSerde<>(ImageEvent.class, new MockSchemaRegistry())) {
            serde.configure(Map.of("schema.registry.url", "mock://unused"), false);
            String expected = "00" + "00000001"  // magic, schema id 1
                    + "046531"                   // event_id "e1"
                    + "00"                       // source_id: union branch 0 (null)
                    + "d00f"                     // event_time 1000 -> zig-zag 2000 -> varint d0 0f
                    + "00" + "06010203" + "00"   // image: branch 0 InlineImage, data 3 bytes, media_type null
                    + "02" + "046869"            // prompt: branch 1, "hi"
                    + "00"                       // overrides: null
                    + "02" + "026b" + "0276" + "00"; // attributes: block of 1, "k" -> "v", end
            assertThat(HEX.formatHex(serde.serializer().serialize("images", event))).isEqualTo(expected);
        }
    }

    @Test
    void rejectsShortRecords() {
        assertThatThrownBy(() -> ConfluentWireFormat.schemaId("images", new byte[] {0, 0, 1}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("too short").hasMessageContaining("3 bytes").hasMessageContaining("'images'");
    }

    @Test
    void rejectsUnknownMagicByte() {
        assertThatThrownBy(() -> ConfluentWireFormat.schemaId("images", HEX.parseHex("7b22613a317d")))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("unknown magic byte 123");
    }
}
