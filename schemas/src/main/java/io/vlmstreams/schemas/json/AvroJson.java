package io.vlmstreams.schemas.json;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;

/**
 * An Avro value as a plain JSON tree: records as objects of their fields by name, unions as their
 * value (no Avro JSON wrapping), enums, fixed and instants as their text, non-finite doubles as text.
 * Bytes are either a note of their size ({@link #of}, for a browser that has no use for image bytes
 * as text) or base64 ({@link #withBase64Bytes}, for a command line that prints the whole record).
 */
public final class AvroJson {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final AvroJson SIZE_NOTE = new AvroJson(n -> JSON.textNode("(" + n.remaining() + " bytes)"));
    private static final AvroJson BASE64 = new AvroJson(buffer -> {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return JSON.textNode(Base64.getEncoder().encodeToString(bytes));
    });

    private final Function<ByteBuffer, JsonNode> bytes;

    private AvroJson(Function<ByteBuffer, JsonNode> bytes) {
        this.bytes = bytes;
    }

    /** {@code value} with bytes as {@code "(N bytes)"}. */
    public static JsonNode of(Object value) {
        return SIZE_NOTE.tree(value);
    }

    /** {@code value} with bytes as base64. */
    public static JsonNode withBase64Bytes(Object value) {
        return BASE64.tree(value);
    }

    private JsonNode tree(Object value) {
        if (value == null) {
            return JSON.nullNode();
        }
        if (value instanceof IndexedRecord record) {
            ObjectNode node = JSON.objectNode();
            for (Schema.Field f : record.getSchema().getFields()) {
                node.set(f.name(), tree(record.get(f.pos())));
            }
            return node;
        }
        if (value instanceof ByteBuffer buffer) {
            return bytes.apply(buffer);
        }
        if (value instanceof byte[] array) {
            return bytes.apply(ByteBuffer.wrap(array));
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode node = JSON.objectNode();
            map.forEach((k, v) -> node.set(String.valueOf(k), tree(v)));
            return node;
        }
        if (value instanceof Collection<?> list) {
            ArrayNode node = JSON.arrayNode();
            list.forEach(v -> node.add(tree(v)));
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
            // what Jackson writes for a non-finite double node by default, made explicit
            return Double.isFinite(d) ? JSON.numberNode(d) : JSON.textNode(String.valueOf(d));
        }
        if (value instanceof Boolean b) {
            return JSON.booleanNode(b);
        }
        if (value instanceof Instant t) {
            return JSON.textNode(t.toString());
        }
        // enum symbols, fixed, Utf8 and strings
        return JSON.textNode(value.toString());
    }
}
