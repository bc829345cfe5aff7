package io.vlmstreams.convert;

import io.vlmstreams.inference.onnx.Fp16;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads tensors from an upstream checkpoint: {@code model.safetensors}, or the shards named by
 * {@code model.safetensors.index.json}. F32, F16 and BF16 tensors are returned as float32.
 */
public final class SafetensorsReader implements AutoCloseable {

    /** One tensor's place in a file: dtype, shape and byte range within the data section. */
    public record TensorInfo(String name, String dtype, long[] shape, Path file, long begin, long end) {
        public long elementCount() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    /** A tensor's values as float32 with its shape. */
    public record Tensor(String name, long[] shape, float[] data) {
        public int dim(int i) {
            return (int) shape[i < 0 ? shape.length + i : i];
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, TensorInfo> tensors;
    private final Map<Path, FileChannel> channels = new LinkedHashMap<>();

    private SafetensorsReader(Map<String, TensorInfo> tensors) {
        this.tensors = tensors;
    }

    /** Opens the checkpoint in {@code dir}: the index file when present, else {@code model.safetensors}. */
    public static SafetensorsReader open(Path dir) {
        Path index = dir.resolve("model.safetensors.index.json");
        Map<String, TensorInfo> all = new LinkedHashMap<>();
        try {
            if (Files.exists(index)) {
                JsonNode map = JSON.readTree(index.toFile()).path("weight_map");
                if (!map.isObject()) {
                    throw new IllegalArgumentException(index + ": missing object 'weight_map'");
                }
                Set<String> files = new java.util.TreeSet<>();
                map.fields().forEachRemaining(e -> files.add(e.getValue().asText()));
                for (String f : files) {
                    all.putAll(readHeader(dir.resolve(f)));
                }
            } else {
                Path single = dir.resolve("model.safetensors");
                if (!Files.exists(single)) {
                    throw new IllegalArgumentException(dir + ": neither model.safetensors nor model.safetensors.index.json found");
                }
                all.putAll(readHeader(single));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint in " + dir + ": " + e.getMessage(), e);
        }
        return new SafetensorsReader(all);
    }

    private static Map<String, TensorInfo> readHeader(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, 0);
            long headerLen = len.flip().getLong();
            if (headerLen <= 0 || headerLen > 100_000_000L || headerLen + 8 > ch.size()) {
                throw new IOException(file + ": not a safetensors file (header length " + headerLen + ")");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            readFully(ch, header, 8);
            JsonNode root = JSON.readTree(header.array());
            Map<String, TensorInfo> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                JsonNode t = e.getValue();
                long[] shape = new long[t.path("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = t.path("shape").get(i).asLong();
                }
                long base = 8 + headerLen;
                out.put(e.getKey(), new TensorInfo(e.getKey(), t.path("dtype").asText(), shape, file,
                        base + t.path("data_offsets").get(0).asLong(), base + t.path("data_offsets").get(1).asLong()));
            }
            return out;
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += n;
        }
    }

    /** Names of every tensor, in file order. */
    public Set<String> names() {
        return Collections.unmodifiableSet(tensors.keySet());
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new IllegalArgumentException("checkpoint has no tensor '" + name + "'");
        }
        return info;
    }

    /** Reads a tensor as float32, checking its shape when {@code expectedShape} is given. */
    public Tensor read(String name, long... expectedShape) {
        TensorInfo info = info(name);
        if (expectedShape.length > 0 && !Arrays.equals(info.shape(), expectedShape)) {
            throw new IllegalArgumentException("tensor '" + name + "' has shape " + Arrays.toString(info.shape())
                    + ", expected " + Arrays.toString(expectedShape));
        }
        long n = info.elementCount();
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor '" + name + "' is too large for one array: " + n);
        }
        int width = switch (info.dtype()) {
            case "F32" -> 4;
            case "F16", "BF16" -> 2;
            default -> throw new IllegalArgumentException("tensor '" + name + "' has unsupported dtype " + info.dtype()
                    + " (supported: F32, F16, BF16)");
        };
        if (info.end() - info.begin() != n * width) {
            throw new IllegalArgumentException("tensor '" + name + "' byte range does not match its shape and dtype");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) (n * width)).order(ByteOrder.LITTLE_ENDIAN);
        try {
            readFully(channel(info.file()), buf, info.begin());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tensor '" + name + "' from " + info.file(), e);
        }
        buf.flip();
        float[] out = new float[(int) n];
        switch (info.dtype()) {
            case "F32" -> buf.asFloatBuffer().get(out);
            case "F16" -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Fp16.fromFloat16(buf.getShort());
                }
            }
            default -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.intBitsToFloat((buf.getShort() & 0xffff) << 16);
                }
            }
        }
        return new Tensor(name, info.shape().clone(), out);
    }

    private synchronized FileChannel channel(Path file) throws IOException {
        FileChannel ch = channels.get(file);
        if (ch == null) {
            ch = FileChannel.open(file, StandardOpenOption.READ);
            channels.put(file, ch);
        }
        return ch;
    }

    /** Names with the given prefix, sorted, for reading numbered layers. */
    public List<String> namesWithPrefix(String prefix) {
        List<String> out = new ArrayList<>();
        for (String n : tensors.keySet()) {
            if (n.startsWith(prefix)) {
                out.add(n);
            }
        }
        Collections.sort(out);
        return out;
    }

    @Override
    public synchronized void close() {
        for (FileChannel ch : channels.values()) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing a read-only channel cannot lose data
            }
        }
        channels.clear();
    }
}
