package io.vlmstreams.inference.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link DecoderCache} on hand-made tensors: row selection with trimmed left padding, concatenation
 * that left-pads the shorter past with zeros, and that every cache's tensors are counted until it is
 * closed, on failures too.
 */
class DecoderCacheTest {

    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    private static final String KEY = "past_key_values.0.key";
    private static final String CONV = "past_conv.0";
    private static final int HEADS = 2;
    private static final int DIM = 2;
    private static final int HIDDEN = 3;
    private static final int CONV_L = 2;

    /** Attention value of (row, head, position, dim) and conv value of (row, channel, slot): each says where it came from. */
    private static float kv(int tag, int row, int head, int pos, int dim) {
        return tag * 10000 + row * 1000 + head * 100 + pos * 10 + dim + 1;
    }

    private static float conv(int tag, int row, int channel, int slot) {
        return -(tag * 10000 + row * 1000 + channel * 10 + slot + 1);
    }

    /** A cache of {@code rows} rows and {@code past} positions; values carry {@code tag}. */
    private static DecoderCache cache(int tag, int rows, int past) throws OrtException {
        float[] k = new float[rows * HEADS * past * DIM];
        int i = 0;
        for (int r = 0; r < rows; r++) {
            for (int h = 0; h < HEADS; h++) {
                for (int p = 0; p < past; p++) {
                    for (int d = 0; d < DIM; d++) {
                        k[i++] = kv(tag, r, h, p, d);
                    }
                }
            }
        }
        float[] c = new float[rows * HIDDEN * CONV_L];
        i = 0;
        for (int r = 0; r < rows; r++) {
            for (int ch = 0; ch < HIDDEN; ch++) {
                for (int s = 0; s < CONV_L; s++) {
                    c[i++] = conv(tag, r, ch, s);
                }
            }
        }
        Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
        tensors.put(KEY, OnnxTensor.createTensor(ENV, FloatBuffer.wrap(k), new long[]{rows, HEADS, past, DIM}));
        tensors.put(CONV, OnnxTensor.createTensor(ENV, FloatBuffer.wrap(c), new long[]{rows, HIDDEN, CONV_L}));
        return new DecoderCache(tensors, new ArrayList<>(tensors.values()), rows, past);
    }

    private static float[] values(DecoderCache cache, String name) {
        return Tensors.readFloats(cache.tensors().get(name));
    }

    private static long[] shape(DecoderCache cache, String name) {
        return cache.tensors().get(name).getInfo().getShape();
    }

    /** The expected attention value at (row, head, position, dim). */
    private interface KvAt {
        float at(int row, int head, int pos, int dim);
    }

    /** Every attention value of {@code cache} ({@code rows} x {@code past}) equals {@code want}'s. */
    private static void assertKv(DecoderCache cache, int rows, int past, KvAt want) {
        float[] k = values(cache, KEY);
        int i = 0;
        for (int r = 0; r < rows; r++) {
            for (int h = 0; h < HEADS; h++) {
                for (int p = 0; p < past; p++) {
                    for (int d = 0; d < DIM; d++) {
                        assertThat(k[i++]).as("row %d head %d pos %d dim %d", r, h, p, d).isEqualTo(want.at(r, h, p, d));
                    }
                }
            }
        }
    }

    @Test
    void selectKeepsTheChosenRowsInOrderAndDropsLeadingAttentionPositionsOnly() throws Exception {
        try (DecoderCache all = cache(1, 3, 4);
             DecoderCache picked = all.select(ENV, new int[]{2, 0}, 1)) {
            assertThat(picked.batch()).isEqualTo(2);
            assertThat(picked.pastLength()).isEqualTo(3);
            assertThat(shape(picked, KEY)).containsExactly(2, HEADS, 3, DIM);
            assertThat(shape(picked, CONV)).containsExactly(2, HIDDEN, CONV_L);
            float[] k = values(picked, KEY);
            int i = 0;
            for (int r : new int[]{2, 0}) {
                for (int h = 0; h < HEADS; h++) {
                    for (int p = 1; p < 4; p++) {
                        for (int d = 0; d < DIM; d++) {
                            assertThat(k[i++]).as("row %d head %d pos %d dim %d", r, h, p, d).isEqualTo(kv(1, r, h, p, d));
                        }
                    }
                }
            }
            float[] c = values(picked, CONV);
            i = 0;
            for (int r : new int[]{2, 0}) {
                for (int ch = 0; ch < HIDDEN; ch++) {
                    for (int s = 0; s < CONV_L; s++) {
                        assertThat(c[i++]).isEqualTo(conv(1, r, ch, s));
                    }
                }
            }
            // the source stays valid
            assertThat(values(all, KEY)[0]).isEqualTo(kv(1, 0, 0, 0, 0));
        }
    }

    @Test
    void concatStacksRowsAndLeftPadsTheShorterPastWithZeros() throws Exception {
        try (DecoderCache longer = cache(1, 2, 3);
             DecoderCache shorter = cache(2, 1, 1);
             DecoderCache joined = DecoderCache.concat(ENV, longer, shorter)) {
            assertThat(joined.batch()).isEqualTo(3);
            assertThat(joined.pastLength()).isEqualTo(3);
            assertThat(shape(joined, KEY)).containsExactly(3, HEADS, 3, DIM);
            assertKv(joined, 3, 3, (r, h, p, d) -> r < 2 ? kv(1, r, h, p, d) : p < 2 ? 0f : kv(2, 0, h, 0, d));
            float[] c = values(joined, CONV);
            assertThat(c[0]).isEqualTo(conv(1, 0, 0, 0));
            assertThat(c[2 * HIDDEN * CONV_L]).isEqualTo(conv(2, 0, 0, 0));
            assertThat(c[c.length - 1]).isEqualTo(conv(2, 0, HIDDEN - 1, CONV_L - 1));
            // both inputs stay valid
            assertThat(values(shorter, KEY)[0]).isEqualTo(kv(2, 0, 0, 0, 0));
        }
    }

    @Test
    void concatRightPadsTheShorterPastAfterItsOwnPositionsAndSelectTrimsTrailingPadding() throws Exception {
        try (DecoderCache longer = cache(1, 2, 3);
             DecoderCache shorter = cache(2, 1, 1);
             DecoderCache joined = DecoderCache.concat(ENV, longer, shorter, PaddingSide.RIGHT)) {
            assertThat(shape(joined, KEY)).containsExactly(3, HEADS, 3, DIM);
            assertKv(joined, 3, 3, (r, h, p, d) -> r < 2 ? kv(1, r, h, p, d) : p == 0 ? kv(2, 0, h, 0, d) : 0f);
            // the short row alone again: positions 0..1 kept, the trailing padding cut
            try (DecoderCache alone = joined.select(ENV, new int[]{2}, 0, 1)) {
                assertThat(alone.pastLength()).isEqualTo(1);
                assertThat(shape(alone, KEY)).containsExactly(1, HEADS, 1, DIM);
                float[] a = values(alone, KEY);
                assertThat(a[0]).isEqualTo(kv(2, 0, 0, 0, 0));
                assertThat(a[DIM]).as("second head").isEqualTo(kv(2, 0, 1, 0, 0));
                assertThat(shape(alone, CONV)).containsExactly(1, HIDDEN, CONV_L);
                assertThat(values(alone, CONV)[0]).isEqualTo(conv(2, 0, 0, 0));
            }
            assertThatThrownBy(() -> joined.select(ENV, new int[]{0}, 2, 4)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cannot keep positions 2..4 of 3");
        }
    }

    @Test
    void everyCacheCountsItsTensorsUntilClosedOnceAndFailuresLeaveNothingBehind() throws Exception {
        long before = DecoderCache.liveTensors();
        DecoderCache a = cache(1, 2, 3);
        DecoderCache b = cache(2, 1, 2);
        assertThat(DecoderCache.liveTensors() - before).isEqualTo(4);
        DecoderCache selected = a.select(ENV, new int[]{1}, 0);
        DecoderCache joined = DecoderCache.concat(ENV, a, b);
        assertThat(DecoderCache.liveTensors() - before).isEqualTo(8);

        // failures make nothing that outlives them
        assertThatThrownBy(() -> a.select(ENV, new int[]{5}, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> a.select(ENV, new int[]{0}, 4)).isInstanceOf(IllegalArgumentException.class);
        try (DecoderCache other = otherGraph()) {
            assertThatThrownBy(() -> DecoderCache.concat(ENV, a, other)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("different graphs");
        }
        try (DecoderCache wider = widerConv()) {
            // the attention tensors stack, the conv tensors do not: what was stacked is released
            assertThatThrownBy(() -> DecoderCache.concat(ENV, a, wider)).isInstanceOf(OnnxModelException.class)
                    .hasMessageContaining("cannot merge");
        }
        assertThat(DecoderCache.liveTensors() - before).isEqualTo(8);

        selected.close();
        selected.close();
        assertThat(selected.isClosed()).isTrue();
        assertThat(DecoderCache.liveTensors() - before).isEqualTo(6);
        for (DecoderCache c : List.of(a, b, joined)) {
            c.close();
        }
        assertThat(DecoderCache.liveTensors()).isEqualTo(before);
        assertThat(a.isClosed()).isTrue();
        assertThatThrownBy(() -> a.select(ENV, new int[]{0}, 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> DecoderCache.concat(ENV, joined, b)).isInstanceOf(IllegalStateException.class);
    }

    private static DecoderCache widerConv() throws OrtException {
        Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
        tensors.put(KEY, OnnxTensor.createTensor(ENV, FloatBuffer.wrap(new float[HEADS * DIM]), new long[]{1, HEADS, 1, DIM}));
        tensors.put(CONV, OnnxTensor.createTensor(ENV, FloatBuffer.wrap(new float[(HIDDEN + 1) * CONV_L]), new long[]{1, HIDDEN + 1, CONV_L}));
        return new DecoderCache(tensors, new ArrayList<>(tensors.values()), 1, 1);
    }

    private static DecoderCache otherGraph() throws OrtException {
        Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
        tensors.put("past_conv.7", OnnxTensor.createTensor(ENV, FloatBuffer.wrap(new float[HIDDEN * CONV_L]), new long[]{1, HIDDEN, CONV_L}));
        return new DecoderCache(tensors, new ArrayList<>(tensors.values()), 1, 0);
    }
}
