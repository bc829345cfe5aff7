package io.vlmstreams.inference.onnx;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A decoder-shaped ONNX graph written byte by byte for tests: {@code inputs_embeds} [batch, seq,
 * hidden] and {@code attention_mask} in, {@code logits = inputs_embeds x W} [batch, seq, vocab]
 * out, with no caches and, like the published liquid decoders, no {@code num_logits_to_keep}: every
 * position gets logits. The logits can be float16 and the vocabulary symbolic, the cases a
 * converted graph of this project never has.
 */
final class LogitsOnlyDecoder {

    private static final int FLOAT = 1;
    private static final int INT64 = 7;
    private static final int FLOAT16 = 10;

    private LogitsOnlyDecoder() { }

    /** Writes the graph with weights {@code w} [hidden, vocab] (row-major) to {@code file}. */
    static Path write(Path file, float[] w, int hidden, int vocab, boolean fp16Logits, boolean symbolicVocab) throws IOException {
        if (w.length != hidden * vocab) {
            throw new IllegalArgumentException(w.length + " weights for " + hidden + " x " + vocab);
        }
        ByteBuffer raw = ByteBuffer.allocate(w.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : w) {
            raw.putFloat(v);
        }
        Proto weight = new Proto().ints(1, hidden).ints(1, vocab).ints(2, FLOAT).string(8, "W").bytes(9, raw.array());
        Proto graph = new Proto()
                .message(1, node("MatMul", fp16Logits ? "logits32" : "logits", null, "inputs_embeds", "W"))
                .string(2, "logits_only");
        if (fp16Logits) {
            graph.message(1, node("Cast", "logits", new Proto().string(1, "to").ints(3, FLOAT16).ints(20, 2), "logits32"));
        }
        graph.message(5, weight)
                .message(11, value("inputs_embeds", FLOAT, "batch", "seq", hidden))
                .message(11, value("attention_mask", INT64, "batch", "total"));
        if (symbolicVocab) {
            // W listed as an input too (an overridable initializer): ONNX Runtime then cannot infer the vocabulary
            graph.message(11, value("W", FLOAT, hidden, "vocab"));
        }
        graph
                .message(12, value("logits", fp16Logits ? FLOAT16 : FLOAT, "batch", "seq", symbolicVocab ? "vocab" : vocab));
        Proto model = new Proto().ints(1, 8).string(2, "vlm-streams-test").message(7, graph)
                .message(8, new Proto().string(1, "").ints(2, 17));
        Files.write(file, model.toByteArray());
        return file;
    }

    private static Proto node(String op, String output, Proto attribute, String... inputs) {
        Proto n = new Proto();
        for (String in : inputs) {
            n.string(1, in);
        }
        n.string(2, output).string(3, op + "_" + output).string(4, op);
        if (attribute != null) {
            n.message(5, attribute);
        }
        return n;
    }

    /** A tensor ValueInfoProto; each dimension is a name (symbolic) or an Integer. */
    private static Proto value(String name, int elemType, Object... dims) {
        Proto shape = new Proto();
        for (Object d : dims) {
            shape.message(1, d instanceof Integer size ? new Proto().ints(1, size) : new Proto().string(2, (String) d));
        }
        Proto tensor = new Proto().ints(1, elemType).message(2, shape);
        return new Proto().string(1, name).message(2, new Proto().message(1, tensor));
    }

    /** The few protobuf wire types an ONNX model needs: varints and length-delimited fields. */
    private static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto ints(int field, long value) {
            varint((long) field << 3);
            varint(value);
            return this;
        }

        Proto string(int field, String value) {
            return bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        Proto message(int field, Proto value) {
            return bytes(field, value.toByteArray());
        }

        Proto bytes(int field, byte[] value) {
            varint((long) field << 3 | 2);
            varint(value.length);
            out.writeBytes(value);
            return this;
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }

        private void varint(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }
    }
}
