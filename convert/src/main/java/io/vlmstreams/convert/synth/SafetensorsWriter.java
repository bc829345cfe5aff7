package io.vlmstreams.convert.synth;

import io.vlmstreams.inference.onnx.Fp16;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Writes a {@code .safetensors} file tensor by tensor: the header (known from the shapes alone)
 * first, then each tensor's values as they are produced, in chunks, so a checkpoint of any size
 * is written without holding it in memory.
 */
public final class SafetensorsWriter {

    /** Element type of the written tensors. */
    public enum StoredType {
        F32("F32", 4),
        BF16("BF16", 2);

        final String tag;
        final int width;

        StoredType(String tag, int width) {
            this.tag = tag;
            this.width = width;
        }
    }

    /** Fills {@code chunk[0..count)} with the next values of one tensor. */
    @FunctionalInterface
    public interface Values {
        void next(float[] chunk, int count);
    }

    /** Produces the values of one parameter. */
    @FunctionalInterface
    public interface Source {
        Values open(Parameter parameter);
    }

    private static final int CHUNK = 1 << 16;
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsWriter() {
    }

    /** Writes {@code parameters} in the given order; returns the file size. */
    public static long write(Path file, List<Parameter> parameters, StoredType type, Source source) {
        byte[] header = header(parameters, type);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
            writeAll(ch, len);
            writeAll(ch, ByteBuffer.wrap(header));
            float[] values = new float[CHUNK];
            ByteBuffer bytes = ByteBuffer.allocateDirect(CHUNK * type.width).order(ByteOrder.LITTLE_ENDIAN);
            for (Parameter p : parameters) {
                Values v = source.open(p);
                for (long left = p.elementCount(); left > 0; ) {
                    int n = (int) Math.min(CHUNK, left);
                    v.next(values, n);
                    bytes.clear();
                    for (int i = 0; i < n; i++) {
                        if (type == StoredType.F32) {
                            bytes.putFloat(values[i]);
                        } else {
                            bytes.putShort(Fp16.toBfloat16(values[i]));
                        }
                    }
                    writeAll(ch, bytes.flip());
                    left -= n;
                }
            }
            return ch.size();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The JSON header, padded with spaces to a multiple of 8 bytes as the format recommends. */
    static byte[] header(List<Parameter> parameters, StoredType type) {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("__metadata__").put("format", "pt");
        long offset = 0;
        for (Parameter p : parameters) {
            ObjectNode t = root.putObject(p.name());
            t.put("dtype", type.tag);
            ArrayNode shape = t.putArray("shape");
            for (long d : p.shape()) {
                shape.add(d);
            }
            long size = p.elementCount() * type.width;
            t.putArray("data_offsets").add(offset).add(offset + size);
            offset += size;
        }
        StringBuilder text = new StringBuilder(root.toString());
        while (text.length() % 8 != 0) {
            text.append(' ');
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void writeAll(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }
}
