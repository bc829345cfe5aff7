package io.vlmstreams.inference.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The decoder's caches between steps, keyed by their {@code past*} input names: attention
 * key/value caches [batch, kv_heads, past, head_dim] and conv caches [batch, hidden, L]. The
 * tensors stay native (a step's {@code present*} outputs are fed back as they are); closing the
 * cache releases them.
 */
public final class DecoderCache implements AutoCloseable {

    static final String KV_PREFIX = "past_key_values.";
    static final String CONV_PREFIX = "past_conv.";

    private final Map<String, OnnxTensor> tensors;
    private final List<AutoCloseable> owned;
    private final int batch;
    private final int pastLength;

    DecoderCache(Map<String, OnnxTensor> tensors, List<AutoCloseable> owned, int batch, int pastLength) {
        this.tensors = Collections.unmodifiableMap(tensors);
        this.owned = owned;
        this.batch = batch;
        this.pastLength = pastLength;
    }

    public int batch() {
        return batch;
    }

    /** Positions already cached (the attention mask of the next step is this plus the new tokens long). */
    public int pastLength() {
        return pastLength;
    }

    Map<String, OnnxTensor> tensors() {
        return tensors;
    }

    /**
     * A new cache holding only {@code rows} (in that order), with the first {@code dropLeading}
     * positions of every attention cache removed (left padding no remaining row needs).
     * This cache stays valid; the caller closes both.
     */
    public DecoderCache select(OrtEnvironment env, int[] rows, int dropLeading) {
        Map<String, OnnxTensor> out = new LinkedHashMap<>();
        List<AutoCloseable> created = new ArrayList<>();
        try {
            for (Map.Entry<String, OnnxTensor> e : tensors.entrySet()) {
                OnnxTensor t = e.getValue();
                long[] shape = t.getInfo().getShape();
                int drop = e.getKey().startsWith(KV_PREFIX) ? dropLeading : 0;
                OnnxTensor selected = slice(env, t, shape, rows, drop);
                created.add(selected);
                out.put(e.getKey(), selected);
            }
        } catch (OrtException | RuntimeException ex) {
            created.forEach(DecoderCache::closeQuietly);
            throw new OnnxModelException("cannot compact decoder cache: " + ex.getMessage(), ex);
        }
        return new DecoderCache(out, created, rows.length, pastLength - dropLeading);
    }

    /**
     * A new cache with the rows of {@code first} followed by the rows of {@code second}. Attention
     * caches of the shorter past are left-padded with zeros to the longer one (the caller pads the
     * attention mask with 0 there, so those positions are never attended); conv caches have no past
     * axis and are stacked as they are. Both inputs stay valid; the caller closes all three.
     */
    public static DecoderCache concat(OrtEnvironment env, DecoderCache first, DecoderCache second) {
        if (!first.tensors.keySet().equals(second.tensors.keySet())) {
            throw new IllegalArgumentException("caches of different graphs: " + first.tensors.keySet() + " vs " + second.tensors.keySet());
        }
        int past = Math.max(first.pastLength, second.pastLength);
        Map<String, OnnxTensor> out = new LinkedHashMap<>();
        List<AutoCloseable> created = new ArrayList<>();
        try {
            for (Map.Entry<String, OnnxTensor> e : first.tensors.entrySet()) {
                OnnxTensor a = e.getValue();
                OnnxTensor b = second.tensors.get(e.getKey());
                boolean kv = e.getKey().startsWith(KV_PREFIX);
                OnnxTensor joined = stack(env, a, b, kv ? past : -1);
                created.add(joined);
                out.put(e.getKey(), joined);
            }
        } catch (OrtException | RuntimeException ex) {
            created.forEach(DecoderCache::closeQuietly);
            throw new OnnxModelException("cannot merge decoder caches: " + ex.getMessage(), ex);
        }
        return new DecoderCache(out, created, first.batch + second.batch, past);
    }

    /** {@code a} then {@code b} along axis 0; with {@code past >= 0}, axis 2 of each left-padded with zeros to {@code past}. */
    private static OnnxTensor stack(OrtEnvironment env, OnnxTensor a, OnnxTensor b, int past) throws OrtException {
        long[] sa = a.getInfo().getShape();
        long[] sb = b.getInfo().getShape();
        int elem = a.getInfo().type.size;
        long[] outShape = sa.clone();
        outShape[0] = sa[0] + sb[0];
        if (past >= 0) {
            outShape[2] = past;
        }
        ByteBuffer dst = ByteBuffer.allocate((int) (Tensors.elements(outShape) * elem));
        for (OnnxTensor t : List.of(a, b)) {
            long[] shape = t.getInfo().getShape();
            ByteBuffer src = t.getByteBuffer();
            if (past < 0 || shape[2] == past) {
                dst.put(src);
                continue;
            }
            // [heads, past, dim] per row: zeros for the missing leading positions, then the row's own
            long inner = (shape.length > 3 ? Tensors.elements(java.util.Arrays.copyOfRange(shape, 3, shape.length)) : 1) * elem;
            int padBytes = (int) ((past - shape[2]) * inner);
            int headBytes = (int) (shape[2] * inner);
            for (long r = 0; r < shape[0] * shape[1]; r++) {
                dst.position(dst.position() + padBytes);
                dst.put(src.duplicate().position((int) (r * headBytes)).limit((int) ((r + 1) * headBytes)));
            }
        }
        dst.flip();
        return Tensors.fromBytes(env, dst, a.getInfo().type, outShape);
    }

    /** Rows of axis 0 and, when {@code drop > 0}, the leading {@code drop} entries of axis 2. */
    private static OnnxTensor slice(OrtEnvironment env, OnnxTensor t, long[] shape, int[] rows, int drop) throws OrtException {
        int elem = t.getInfo().type.size;
        ByteBuffer src = t.getByteBuffer();
        long rowBytes = Tensors.elements(shape) / Math.max(1, shape[0]) * elem;
        long[] outShape = shape.clone();
        outShape[0] = rows.length;
        if (drop > 0) {
            outShape[2] = shape[2] - drop;
        }
        long outRowBytes = Tensors.elements(outShape) / Math.max(1, rows.length) * elem;
        ByteBuffer dst = ByteBuffer.allocate((int) (outRowBytes * rows.length));
        if (drop == 0) {
            for (int r : rows) {
                dst.put(src.duplicate().position((int) (r * rowBytes)).limit((int) ((r + 1) * rowBytes)));
            }
        } else {
            // [heads, past, dim] per row: keep past entries drop.. of every head
            long heads = shape[1];
            long inner = (shape.length > 3 ? Tensors.elements(java.util.Arrays.copyOfRange(shape, 3, shape.length)) : 1) * elem;
            long headBytes = shape[2] * inner;
            for (int r : rows) {
                for (long h = 0; h < heads; h++) {
                    long start = r * rowBytes + h * headBytes + drop * inner;
                    dst.put(src.duplicate().position((int) start).limit((int) (r * rowBytes + (h + 1) * headBytes)));
                }
            }
        }
        dst.flip();
        return Tensors.fromBytes(env, dst, t.getInfo().type, outShape);
    }

    @Override
    public void close() {
        owned.forEach(DecoderCache::closeQuietly);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing native memory does not fail in practice; nothing to recover
        }
    }
}
