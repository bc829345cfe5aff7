package io.vlmstreams.inference.generate;

import java.util.List;

/**
 * Sequences of different lengths as one [batch, width] block, padded on the LEFT so every row's
 * last token sits in the last column: attention mask 0 on padding, position ids = cumsum(mask) - 1
 * clipped at 0 (transformers' rule for left-padded batches).
 */
public record LeftPaddedBatch(int batch, int width, long[] ids, long[] mask, long[] positions, int[] lengths) {

    public static LeftPaddedBatch of(List<long[]> rows, long padId) {
        int batch = rows.size();
        int width = 0;
        for (long[] r : rows) {
            width = Math.max(width, r.length);
        }
        long[] ids = new long[batch * width];
        long[] mask = new long[batch * width];
        long[] positions = new long[batch * width];
        int[] lengths = new int[batch];
        for (int b = 0; b < batch; b++) {
            long[] r = rows.get(b);
            int pad = width - r.length;
            lengths[b] = r.length;
            for (int c = 0; c < width; c++) {
                int i = b * width + c;
                if (c < pad) {
                    ids[i] = padId;
                } else {
                    ids[i] = r[c - pad];
                    mask[i] = 1;
                    positions[i] = c - pad;
                }
            }
        }
        return new LeftPaddedBatch(batch, width, ids, mask, positions, lengths);
    }

    /** Left padding of row {@code b}. */
    public int padding(int b) {
        return width - lengths[b];
    }
}
