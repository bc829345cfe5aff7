package io.vlmstreams.cli;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericRecord;

/**
 * Plain JSON for Avro records: every field by name, unions as their value (no Avro JSON wrapping),
 * enums as their symbol, bytes as base64, plus {@code _schema} (the writer schema's full name) so a
 * reader can tell answers from dead letters.
 */
final class RecordJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private RecordJson() {
    }

    static ObjectNode of(GenericRecord record) {
        ObjectNode node = NODES.objectNode();
        node.put("_schema", record.getSchema().getFullName());
        fields(record, node);
        return node;
    }

    private static void fields(GenericRecord record, ObjectNode node) {
        for (Schema.Field f : record.getSchema().getFields()) {
            node.set(f.name(), value(record.get(f.pos())));
        }
    }

    private static JsonNode value(Object v) {
        if (v == null) {
            return NODES.nullNode();
        }
        if (v instanceof GenericRecord r) {
            ObjectNode node = NODES.objectNode();
            fields(r, node);
            return node;
        }
        if (v instanceof Map<?, ?> map) {
            ObjectNode node = NODES.objectNode();
            map.forEach((k, x) -> node.set(String.valueOf(k), value(x)));
            return node;
        }
        if (v instanceof Collection<?> list) {
            ArrayNode array = NODES.arrayNode();
            list.forEach(x -> array.add(value(x)));
            return array;
        }
        if (v instanceof ByteBuffer buffer) {
            ByteBuffer copy = buffer.duplicate();
            byte[] bytes = new byte[copy.remaining()];
            copy.get(bytes);
            return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
        }
        if (v instanceof Integer i) {
            return NODES.numberNode(i);
        }
        if (v instanceof Long l) {
            return NODES.numberNode(l);
        }
        if (v instanceof Float x) {
            return NODES.numberNode(x);
        }
        if (v instanceof Double x) {
            return NODES.numberNode(x);
        }
        if (v instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        if (v instanceof GenericContainer) {
            return NODES.textNode(v.toString());
        }
        return NODES.textNode(v.toString());
    }
}
