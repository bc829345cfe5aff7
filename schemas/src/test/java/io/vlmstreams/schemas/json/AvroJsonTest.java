package io.vlmstreams.schemas.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;

class AvroJsonTest {

    private static final Schema SCHEMA = new Schema.Parser().parse("""
            {"type": "record", "name": "R", "fields": [
              {"name": "id", "type": "string"},
              {"name": "data", "type": "bytes"},
              {"name": "kind", "type": {"type": "enum", "name": "K", "symbols": ["A", "B"]}},
              {"name": "score", "type": ["null", "double"]},
              {"name": "tags", "type": {"type": "array", "items": "string"}},
              {"name": "attrs", "type": {"type": "map", "values": "long"}}
            ]}""");

    @Test
    void writesFieldsByNameWithBytesAsSizeOrBase64() throws Exception {
        GenericRecord r = new GenericData.Record(SCHEMA);
        r.put("id", new Utf8("e1"));
        ByteBuffer data = ByteBuffer.wrap("abc".getBytes(StandardCharsets.US_ASCII));
        r.put("data", data);
        r.put("kind", new GenericData.EnumSymbol(SCHEMA.getField("kind").schema(), "B"));
        r.put("score", Double.NaN);
        r.put("tags", List.of(new Utf8("x")));
        r.put("attrs", Map.of(new Utf8("n"), 3L));
        ObjectMapper mapper = new ObjectMapper();

        assertThat(mapper.writeValueAsString(AvroJson.of(r))).isEqualTo(
                "{\"id\":\"e1\",\"data\":\"(3 bytes)\",\"kind\":\"B\",\"score\":\"NaN\",\"tags\":[\"x\"],\"attrs\":{\"n\":3}}");
        assertThat(mapper.writeValueAsString(AvroJson.withBase64Bytes(r))).isEqualTo(
                "{\"id\":\"e1\",\"data\":\"YWJj\",\"kind\":\"B\",\"score\":\"NaN\",\"tags\":[\"x\"],\"attrs\":{\"n\":3}}");
        assertThat(data.remaining()).as("the record's buffer is not consumed").isEqualTo(3);
    }
}
