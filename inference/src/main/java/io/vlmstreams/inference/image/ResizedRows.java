package io.vlmstreams.inference.image;

import java.util.Arrays;

/**
 * One {@link PilBilinearResizer} resize delivered row by row, top to bottom, as levels in ints
 * ({@code width * 3} per row, 0..255). The horizontal pass runs on demand over only the source
 * rows the vertical window reaches, and only the last few of those are kept (a ring as deep as the
 * widest vertical window), so the working set stays in cache whatever the image size; the caller
 * consumes each output row before asking for the next. The arithmetic is Pillow's / PyTorch's,
 * exactly: only the order of the (exact) integer additions differs. Not thread-safe.
 */
final class ResizedRows {

    private final byte[] src;
    private final int inStride;
    private final int outHeight;
    private final int stride;

    // horizontal pass (absent when the width stays): taps padded to a fixed count per pixel
    private final boolean horizontal;
    private final int span;
    private final int[] start;
    private final int[] hk;
    private final int hHalf;
    private final int hShift;

    // vertical pass (absent when the height stays)
    private final PilBilinearResizer.Coefficients vert;
    private final int[][] ring;
    private final boolean vClip;
    private int computed; // source rows below this one went through the horizontal pass
    private int y;

    ResizedRows(DecodedImage in, int outWidth, int outHeight, PilBilinearResizer.FixedPoint fixedPoint) {
        if (outWidth <= 0 || outHeight <= 0) {
            throw new IllegalArgumentException("bad target size " + outWidth + "x" + outHeight);
        }
        this.src = in.rgb();
        this.inStride = in.width() * 3;
        this.outHeight = outHeight;
        this.stride = outWidth * 3;
        this.horizontal = outWidth != in.width();
        if (horizontal) {
            PilBilinearResizer.Coefficients c = PilBilinearResizer.Coefficients.of(in.width(), outWidth, fixedPoint);
            // Every output pixel reads the same number of taps (the widest window, zero weights
            // padding the narrower ones): a fixed trip count spares the branch mispredictions that a
            // window of 2 or 3 taps, changing from pixel to pixel, costs. Adding zeros changes no sum.
            int s = 1;
            for (int xx = 0; xx < outWidth; xx++) {
                s = Math.max(s, c.bounds[xx * 2 + 1]);
            }
            span = s;
            start = new int[outWidth];
            hk = new int[outWidth * span];
            for (int xx = 0; xx < outWidth; xx++) {
                int xmin = c.bounds[xx * 2];
                int first = Math.min(xmin, in.width() - span);
                start[xx] = first * 3;
                System.arraycopy(c.kk, xx * c.ksize, hk, xx * span + xmin - first, c.bounds[xx * 2 + 1]);
            }
            hHalf = 1 << (c.precision - 1);
            hShift = c.precision;
        } else {
            span = 0;
            start = null;
            hk = null;
            hHalf = 0;
            hShift = 0;
        }
        if (outHeight != in.height()) {
            vert = PilBilinearResizer.Coefficients.of(in.height(), outHeight, fixedPoint);
            int depth = 1;
            boolean clip = false;
            for (int yy = 0; yy < outHeight; yy++) {
                int taps = vert.bounds[yy * 2 + 1];
                depth = Math.max(depth, taps);
                long largest = 1L << (vert.precision - 1);
                for (int j = 0; j < taps; j++) {
                    int k = vert.kk[yy * vert.ksize + j];
                    clip |= k < 0;
                    largest += 255L * Math.max(k, 0);
                }
                clip |= largest >= 256L << vert.precision;
            }
            // Bilinear weights are never negative and round to a sum near one, so no level leaves
            // 0..255 and the clipping loop is skipped; it stays for exactness all the same.
            vClip = clip;
            ring = new int[depth][stride];
            computed = vert.bounds[0];
        } else {
            vert = null;
            vClip = false;
            ring = null;
        }
    }

    /** Writes the next output row into {@code out} (at least {@code width * 3} long). */
    void next(int[] out) {
        if (y >= outHeight) {
            throw new IllegalStateException("all " + outHeight + " rows were read");
        }
        if (vert == null) {
            source(y++, out);
            return;
        }
        int ymin = vert.bounds[y * 2];
        int taps = vert.bounds[y * 2 + 1];
        int depth = ring.length;
        computed = Math.max(computed, ymin);
        // Windows only move down, so the rows of this window not computed yet are the ones below
        // the last window's end, and the ones computed before are still in the ring.
        for (; computed < ymin + taps; computed++) {
            source(computed, ring[computed % depth]);
        }
        int k0 = y * vert.ksize;
        Arrays.fill(out, 0, stride, 1 << (vert.precision - 1));
        // Whole separate int rows: the JIT turns these loops into vector instructions.
        for (int j = 0; j < taps; j++) {
            int k = vert.kk[k0 + j];
            int[] row = ring[(ymin + j) % depth];
            for (int i = 0; i < stride; i++) {
                out[i] += row[i] * k;
            }
        }
        int shift = vert.precision;
        for (int i = 0; i < stride; i++) {
            out[i] >>= shift;
        }
        if (vClip) {
            for (int i = 0; i < stride; i++) {
                out[i] = clip8(out[i]);
            }
        }
        y++;
    }

    /**
     * Source row {@code sy} after the horizontal pass (or just widened when there is none). One
     * method per tap count, so each is compiled on its own, small and with a stable profile.
     */
    private void source(int sy, int[] dst) {
        int row = sy * inStride;
        if (!horizontal) {
            widen(src, row, dst, stride);
        } else if (span == 2) {
            taps2(src, row, start, hk, dst, hHalf, hShift);
        } else if (span == 3) {
            taps3(src, row, start, hk, dst, hHalf, hShift);
        } else {
            tapsN(src, row, start, hk, span, dst, hHalf, hShift);
        }
    }

    private static void widen(byte[] in, int row, int[] dst, int n) {
        for (int i = 0; i < n; i++) {
            dst[i] = in[row + i] & 0xFF;
        }
    }

    // Two taps (every enlargement) and three (slight reductions) are unrolled, which the JIT does
    // not do for a loop of two or three trips: it halves the time of the pass.
    private static void taps2(byte[] in, int row, int[] start, int[] kk, int[] dst, int half, int shift) {
        for (int xx = 0, o = 0; xx < start.length; xx++, o += 3) {
            int p = row + start[xx];
            int ka = kk[xx * 2];
            int kb = kk[xx * 2 + 1];
            dst[o] = clip8((half + (in[p] & 0xFF) * ka + (in[p + 3] & 0xFF) * kb) >> shift);
            dst[o + 1] = clip8((half + (in[p + 1] & 0xFF) * ka + (in[p + 4] & 0xFF) * kb) >> shift);
            dst[o + 2] = clip8((half + (in[p + 2] & 0xFF) * ka + (in[p + 5] & 0xFF) * kb) >> shift);
        }
    }

    private static void taps3(byte[] in, int row, int[] start, int[] kk, int[] dst, int half, int shift) {
        for (int xx = 0, o = 0; xx < start.length; xx++, o += 3) {
            int p = row + start[xx];
            int ka = kk[xx * 3];
            int kb = kk[xx * 3 + 1];
            int kc = kk[xx * 3 + 2];
            dst[o] = clip8((half + (in[p] & 0xFF) * ka + (in[p + 3] & 0xFF) * kb + (in[p + 6] & 0xFF) * kc) >> shift);
            dst[o + 1] = clip8((half + (in[p + 1] & 0xFF) * ka + (in[p + 4] & 0xFF) * kb + (in[p + 7] & 0xFF) * kc) >> shift);
            dst[o + 2] = clip8((half + (in[p + 2] & 0xFF) * ka + (in[p + 5] & 0xFF) * kb + (in[p + 8] & 0xFF) * kc) >> shift);
        }
    }

    private static void tapsN(byte[] in, int row, int[] start, int[] kk, int span, int[] dst, int half, int shift) {
        for (int xx = 0, o = 0, k0 = 0; xx < start.length; xx++, o += 3, k0 += span) {
            int s0 = half;
            int s1 = half;
            int s2 = half;
            int p = row + start[xx];
            for (int x = 0; x < span; x++, p += 3) {
                int k = kk[k0 + x];
                s0 += (in[p] & 0xFF) * k;
                s1 += (in[p + 1] & 0xFF) * k;
                s2 += (in[p + 2] & 0xFF) * k;
            }
            dst[o] = clip8(s0 >> shift);
            dst[o + 1] = clip8(s1 >> shift);
            dst[o + 2] = clip8(s2 >> shift);
        }
    }

    private static int clip8(int v) {
        return v < 0 ? 0 : v > 255 ? 255 : v;
    }
}
