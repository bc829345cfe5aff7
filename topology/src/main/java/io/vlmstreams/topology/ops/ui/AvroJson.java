package io.vlmstreams.topology.ops.ui;

import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.IndexedRecord;

/**
 * An Avro record as a JSON tree for the view's "full record" panel: fields by name, enums as their
 * symbol, and bytes as a note of their size (image bytes are served apart, by id, and a browser has
 * no use for them as text).
 */
final class AvroJson {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private AvroJson() {
    }

    static JsonNode of(Object value) {
        if (value == null) {
            return JSON.nullNode();
        }
        if (value instanceof IndexedRecord record) {
            ObjectNode node = JSON.objectNode();
            for (Schema.Field f : record.getSchema().getFields()) {
                node.set(f.name(), of(record.get(f.pos())));
            }
            return node;
        }
        if (value instanceof ByteBuffer bytes) {
            return JSON.textNode("(" + bytes.remaining() + " bytes)");
        }
        if (value instanceof byte[] bytes) {
            return JSON.textNode("(" + bytes.length + " bytes)");
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode node = JSON.objectNode();
            map.forEach((k, v) -> node.set(String.valueOf(k), of(v)));
            return node;
        }
        if (value instanceof Collection<?> list) {
            ArrayNode node = JSON.arrayNode();
            list.forEach(v -> node.add(of(v)));
            return node;
        }
        if (value instanceof Integer i) {
            return JSON.numberNode(i);
        }
        if (value instanceof Long l) {
            return JSON.numberNode(l);
        }
        if (value instanceof Float f) {
            return JSON.numberNode(f);
        }
        if (value instanceof Double d) {
            return Double.isFinite(d) ? JSON.numberNode(d) : JSON.textNode(String.valueOf(d));
        }
        if (value instanceof Boolean b) {
            return JSON.booleanNode(b);
        }
        if (value instanceof java.time.Instant t) {
            return JSON.textNode(t.toString());
        }
        if (value instanceof GenericEnumSymbol<?> || value instanceof Enum<?>) {
            return JSON.textNode(value.toString());
        }
        return JSON.textNode(value.toString());
    }
}
