package io.vlmstreams.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vlmstreams.schemas.json.AvroJson;
import org.apache.avro.generic.GenericRecord;

/**
 * Plain JSON for Avro records ({@link AvroJson} with bytes as base64), plus {@code _schema} (the
 * writer schema's full name) so a reader can tell answers from dead letters.
 */
final class RecordJson {

    private RecordJson() {
    }

    static ObjectNode of(GenericRecord record) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("_schema", record.getSchema().getFullName());
        node.setAll((ObjectNode) AvroJson.withBase64Bytes(record));
        return node;
    }
}
