package io.vlmstreams.inference.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The decoder's caches between steps, keyed by their {@code past*} input names: attention
 * key/value caches [batch, kv_heads, past, head_dim] and conv caches [batch, hidden, L]. The
 * tensors stay native (a step's {@code present*} outputs are fed back as they are); closing the
 * cache releases them. Every cache counts its tensors in {@link #liveTensors()} until it is
 * closed, so a cache that is never closed shows as a count that does not come back.
 */
public final class DecoderCache implements AutoCloseable {

    static final String KV_PREFIX = "past_key_values.";
    static final String CONV_PREFIX = "past_conv.";

    private static final AtomicLong LIVE_TENSORS = new AtomicLong();

    private final Map<String, OnnxTensor> tensors;
    private final List<AutoCloseable> owned;
    private final int batch;
    private final int pastLength;
    private boolean closed;

    /** @param owned what closing this releases: the tensors themselves or the run result holding them */
    DecoderCache(Map<String, OnnxTensor> tensors, List<AutoCloseable> owned, int batch, int pastLength) {
        this.tensors = Collections.unmodifiableMap(tensors);
        this.owned = owned;
        this.batch = batch;
        this.pastLength = pastLength;
        LIVE_TENSORS.addAndGet(tensors.size());
    }

    /** Native tensors held by caches not yet closed, in this process (for leak checks: tests, soak runs). */
    public static long liveTensors() {
        return LIVE_TENSORS.get();
    }

    /** Whether {@link #close} ran (then none of the tensors may be fed again). */
    public synchronized boolean isClosed() {
        return closed;
    }

    /** Number of cache tensors (one per {@code past*} input of the graph). */
    public int size() {
        return tensors.size();
    }

    public int batch() {
        return batch;
    }

    /** Positions already cached (the attention mask of the next step is this plus the new tokens long). */
    public int pastLength() {
        return pastLength;
    }

    Map<String, OnnxTensor> tensors() {
        ensureOpen();
        return tensors;
    }

    /**
     * A new cache holding only {@code rows} (in that order), with the first {@code dropLeading}
     * positions of every attention cache removed (left padding no remaining row needs).
     * This cache stays valid; the caller closes both.
     */
    public DecoderCache select(OrtEnvironment env, int[] rows, int dropLeading) {
        return select(env, rows, dropLeading, pastLength);
    }

    /**
     * A new cache holding only {@code rows} (in that order) and, of every attention cache, positions
     * {@code from} (inclusive) to {@code to} (exclusive): padding no remaining row needs, at either end,
     * left out. This cache stays valid; the caller closes both.
     */
    public DecoderCache select(OrtEnvironment env, int[] rows, int from, int to) {
        ensureOpen();
        for (int r : rows) {
            if (r < 0 || r >= batch) {
                throw new IllegalArgumentException("row " + r + " is not in a cache of " + batch + " rows");
            }
        }
        if (from < 0 || to < from || to > pastLength) {
            throw new IllegalArgumentException("cannot keep positions " + from + ".." + to + " of " + pastLength + " cached positions");
        }
        Map<String, OnnxTensor> out = new LinkedHashMap<>();
        List<AutoCloseable> created = new ArrayList<>();
        boolean done = false;
        try {
            for (Map.Entry<String, OnnxTensor> e : tensors.entrySet()) {
                OnnxTensor t = e.getValue();
                long[] shape = t.getInfo().getShape();
                boolean kv = e.getKey().startsWith(KV_PREFIX);
                OnnxTensor selected = slice(env, t, shape, rows, kv ? from : 0, kv ? to : -1);
                created.add(selected);
                out.put(e.getKey(), selected);
            }
            DecoderCache cache = new DecoderCache(out, created, rows.length, to - from);
            done = true;
            return cache;
        } catch (OrtException | RuntimeException ex) {
            throw new OnnxModelException("cannot compact decoder cache: " + ex.getMessage(), ex);
        } finally {
            if (!done) {
                created.forEach(DecoderCache::closeQuietly);
            }
        }
    }

    /** {@link #concat(OrtEnvironment, DecoderCache, DecoderCache, PaddingSide)} with left padding. */
    public static DecoderCache concat(OrtEnvironment env, DecoderCache first, DecoderCache second) {
        return concat(env, first, second, PaddingSide.LEFT);
    }

    /**
     * A new cache with the rows of {@code first} followed by the rows of {@code second}. Attention
     * caches of the shorter past are padded with zeros to the longer one, on {@code side} (the caller
     * pads the attention mask with 0 there, so those positions are never attended); conv caches have
     * no past axis and are stacked as they are. Both inputs stay valid; the caller closes all three.
     */
    public static DecoderCache concat(OrtEnvironment env, DecoderCache first, DecoderCache second, PaddingSide side) {
        first.ensureOpen();
        second.ensureOpen();
        if (!first.tensors.keySet().equals(second.tensors.keySet())) {
            throw new IllegalArgumentException("caches of different graphs: " + first.tensors.keySet() + " vs " + second.tensors.keySet());
        }
        int past = Math.max(first.pastLength, second.pastLength);
        Map<String, OnnxTensor> out = new LinkedHashMap<>();
        List<AutoCloseable> created = new ArrayList<>();
        boolean done = false;
        try {
            for (Map.Entry<String, OnnxTensor> e : first.tensors.entrySet()) {
                OnnxTensor a = e.getValue();
                OnnxTensor b = second.tensors.get(e.getKey());
                boolean kv = e.getKey().startsWith(KV_PREFIX);
                OnnxTensor joined = stack(env, a, b, kv ? past : -1, side);
                created.add(joined);
                out.put(e.getKey(), joined);
            }
            DecoderCache cache = new DecoderCache(out, created, first.batch + second.batch, past);
            done = true;
            return cache;
        } catch (OrtException | RuntimeException ex) {
            throw new OnnxModelException("cannot merge decoder caches: " + ex.getMessage(), ex);
        } finally {
            if (!done) {
                created.forEach(DecoderCache::closeQuietly);
            }
        }
    }

    /** {@code a} then {@code b} along axis 0; with {@code past >= 0}, axis 2 of each padded with zeros on {@code side} to {@code past}. */
    private static OnnxTensor stack(OrtEnvironment env, OnnxTensor a, OnnxTensor b, int past, PaddingSide side) throws OrtException {
        long[] sa = a.getInfo().getShape();
        long[] sb = b.getInfo().getShape();
        for (int axis = 1; axis < Math.max(sa.length, sb.length); axis++) {
            boolean padded = past >= 0 && axis == 2;
            if (sa.length != sb.length || !padded && sa[axis] != sb[axis]) {
                throw new IllegalArgumentException("cannot stack " + Arrays.toString(sa) + " and " + Arrays.toString(sb));
            }
        }
        int elem = a.getInfo().type.size;
        long[] outShape = sa.clone();
        outShape[0] = sa[0] + sb[0];
        if (past >= 0) {
            outShape[2] = past;
        }
        ByteBuffer dst = Tensors.direct(Tensors.elements(outShape), elem);
        for (OnnxTensor t : List.of(a, b)) {
            long[] shape = t.getInfo().getShape();
            ByteBuffer src = t.getByteBuffer();
            if (past < 0 || shape[2] == past) {
                dst.put(src);
                continue;
            }
            // [heads, past, dim] per row: the row's own positions, zeros for the missing ones before or after
            long inner = innerBytes(shape, elem);
            int padBytes = Math.toIntExact((past - shape[2]) * inner);
            int headBytes = Math.toIntExact(shape[2] * inner);
            for (long r = 0; r < shape[0] * shape[1]; r++) {
                int from = Math.toIntExact(r * headBytes);
                if (side == PaddingSide.LEFT) {
                    dst.position(dst.position() + padBytes);
                }
                dst.put(src.duplicate().position(from).limit(from + headBytes));
                if (side == PaddingSide.RIGHT) {
                    dst.position(dst.position() + padBytes);
                }
            }
        }
        return Tensors.wrap(env, dst, a.getInfo().type, outShape);
    }

    /** Bytes of one position of an attention cache: the product of the axes after the past axis, times the element size. */
    private static long innerBytes(long[] shape, int elem) {
        return (shape.length > 3 ? Tensors.elements(Arrays.copyOfRange(shape, 3, shape.length)) : 1) * elem;
    }

    /** Rows of axis 0 and, when {@code to >= 0}, entries {@code from..to} of axis 2. */
    private static OnnxTensor slice(OrtEnvironment env, OnnxTensor t, long[] shape, int[] rows, int from, int to) throws OrtException {
        int elem = t.getInfo().type.size;
        ByteBuffer src = t.getByteBuffer();
        long rowBytes = Tensors.elements(shape) / Math.max(1, shape[0]) * elem;
        boolean whole = to < 0 || from == 0 && to == shape[2];
        long[] outShape = shape.clone();
        outShape[0] = rows.length;
        if (!whole) {
            outShape[2] = to - from;
        }
        ByteBuffer dst = Tensors.direct(Tensors.elements(outShape), elem);
        if (whole) {
            for (int r : rows) {
                int start = Math.toIntExact(r * rowBytes);
                dst.put(src.duplicate().position(start).limit(Math.toIntExact(start + rowBytes)));
            }
        } else {
            // [heads, past, dim] per row: keep past entries from..to of every head
            long heads = shape[1];
            long inner = innerBytes(shape, elem);
            long headBytes = shape[2] * inner;
            for (int r : rows) {
                for (long h = 0; h < heads; h++) {
                    long start = r * rowBytes + h * headBytes;
                    dst.put(src.duplicate().position(Math.toIntExact(start + from * inner))
                            .limit(Math.toIntExact(start + to * inner)));
                }
            }
        }
        return Tensors.wrap(env, dst, t.getInfo().type, outShape);
    }

    /** Releases the tensors; a second close does nothing. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        LIVE_TENSORS.addAndGet(-tensors.size());
        owned.forEach(DecoderCache::closeQuietly);
    }

    private synchronized void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("decoder cache is closed");
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing native memory does not fail in practice; nothing to recover
        }
    }
}
