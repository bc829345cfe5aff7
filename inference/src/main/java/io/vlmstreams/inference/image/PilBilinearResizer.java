package io.vlmstreams.inference.image;

import java.util.Arrays;

/**
 * Bit-exact port of Pillow's {@code Image.resize(size, Image.BILINEAR)} for 8-bit RGB
 * ({@code libImaging/Resample.c}): a triangle filter whose support widens by the scale when
 * shrinking (antialiasing), coefficients computed in double, normalized to sum 1, then turned into
 * fixed point; a horizontal pass over only the source rows the vertical pass reads, then a
 * vertical pass; each pass rounds and clips to 8 bits.
 *
 * <p>PyTorch's uint8 antialiased bilinear {@code interpolate} (behind torchvision's {@code resize},
 * which upstream transformers 5.x runs) is the same algorithm with int16 weights instead of
 * Pillow's {@value #PRECISION_BITS} bits; {@link FixedPoint} picks which one to reproduce.
 *
 * <p>Works on flat byte arrays; allocates only the intermediate and output rasters and the tables.
 */
public final class PilBilinearResizer {

    /** Pillow's {@code PRECISION_BITS = 32 - 8 - 2}. */
    static final int PRECISION_BITS = 32 - 8 - 2;
    private static final double SUPPORT = 1.0; // bilinear filter support

    private PilBilinearResizer() {
    }

    /**
     * How the double weights become integers. Both reproduce their library bit for bit; they differ
     * in about one output level in a thousand.
     */
    public enum FixedPoint {
        /** Pillow: {@value #PRECISION_BITS} fractional bits. */
        PILLOW,
        /**
         * PyTorch's uint8 antialiased {@code interpolate} (what torchvision's {@code resize} and so
         * upstream transformers 5.x' image processor run): int16 weights, with the most fractional
         * bits (below 22) that keep the largest weight of the axis under 2^15.
         */
        TORCH_INT16
    }

    /** Resizes with Pillow's fixed point; returns the input itself when the size is unchanged. */
    public static DecodedImage resize(DecodedImage in, int outWidth, int outHeight) {
        return resize(in, outWidth, outHeight, FixedPoint.PILLOW);
    }

    /** Resizes to {@code outWidth x outHeight}; returns the input itself when the size is unchanged (both libraries skip). */
    public static DecodedImage resize(DecodedImage in, int outWidth, int outHeight, FixedPoint fixedPoint) {
        if (outWidth <= 0 || outHeight <= 0) {
            throw new IllegalArgumentException("bad target size " + outWidth + "x" + outHeight);
        }
        boolean horizontal = outWidth != in.width();
        boolean vertical = outHeight != in.height();
        if (!horizontal && !vertical) {
            return in;
        }
        Coefficients vert = Coefficients.of(in.height(), outHeight, fixedPoint);
        byte[] src = in.rgb();
        int srcHeight = in.height();
        int yFirst = 0;
        if (horizontal) {
            // Only the source rows the vertical pass will read need the horizontal pass.
            yFirst = vert.bounds[0];
            int yLast = vert.bounds[outHeight * 2 - 2] + vert.bounds[outHeight * 2 - 1];
            src = horizontal(src, in.width(), yFirst, yLast, outWidth, Coefficients.of(in.width(), outWidth, fixedPoint));
            srcHeight = yLast - yFirst;
        }
        if (vertical) {
            src = vertical(src, outWidth, yFirst, outHeight, vert);
        }
        return new DecodedImage(outWidth, vertical ? outHeight : srcHeight, src);
    }

    private static byte[] horizontal(byte[] in, int inWidth, int yFirst, int yLast, int outWidth, Coefficients c) {
        byte[] out = new byte[(yLast - yFirst) * outWidth * 3];
        int ksize = c.ksize;
        int[] kk = c.kk;
        int[] bounds = c.bounds;
        int half = 1 << (c.precision - 1);
        int shift = c.precision;
        int o = 0;
        for (int y = yFirst; y < yLast; y++) {
            int row = y * inWidth * 3;
            for (int xx = 0; xx < outWidth; xx++) {
                int xmin = bounds[xx * 2];
                int xmax = bounds[xx * 2 + 1];
                int k0 = xx * ksize;
                int s0 = half;
                int s1 = half;
                int s2 = half;
                int p = row + xmin * 3;
                for (int x = 0; x < xmax; x++, p += 3) {
                    int k = kk[k0 + x];
                    s0 += (in[p] & 0xFF) * k;
                    s1 += (in[p + 1] & 0xFF) * k;
                    s2 += (in[p + 2] & 0xFF) * k;
                }
                out[o++] = clip8(s0, shift);
                out[o++] = clip8(s1, shift);
                out[o++] = clip8(s2, shift);
            }
        }
        return out;
    }

    /** {@code in} holds rows starting at source row {@code yFirst}; bounds are shifted by it. */
    private static byte[] vertical(byte[] in, int width, int yFirst, int outHeight, Coefficients c) {
        int stride = width * 3;
        byte[] out = new byte[outHeight * stride];
        int[] acc = new int[stride];
        for (int yy = 0; yy < outHeight; yy++) {
            int ymin = c.bounds[yy * 2] - yFirst;
            int ymax = c.bounds[yy * 2 + 1];
            int k0 = yy * c.ksize;
            Arrays.fill(acc, 1 << (c.precision - 1));
            // Row by row instead of Pillow's pixel by pixel: integer sums are exact, so the order does not matter.
            for (int y = 0; y < ymax; y++) {
                int k = c.kk[k0 + y];
                int row = (ymin + y) * stride;
                for (int i = 0; i < stride; i++) {
                    acc[i] += (in[row + i] & 0xFF) * k;
                }
            }
            int o = yy * stride;
            for (int i = 0; i < stride; i++) {
                out[o + i] = clip8(acc[i], c.precision);
            }
        }
        return out;
    }

    private static byte clip8(int v, int shift) {
        int s = v >> shift;
        return (byte) (s < 0 ? 0 : Math.min(s, 255));
    }

    /**
     * Pillow's {@code precompute_coeffs} + {@code normalize_coeffs_8bpc} for one axis (box = whole
     * axis); PyTorch's {@code _compute_indices_min_size_weights_aa} computes the same doubles.
     */
    static final class Coefficients {
        final int ksize;
        final int precision; // fractional bits of kk
        final int[] bounds;  // per output index: xmin, count
        final int[] kk;      // per output index: ksize fixed-point weights

        private Coefficients(int ksize, int precision, int[] bounds, int[] kk) {
            this.ksize = ksize;
            this.precision = precision;
            this.bounds = bounds;
            this.kk = kk;
        }

        static Coefficients of(int inSize, int outSize, FixedPoint fixedPoint) {
            // Pillow passes the box edges as C floats; for whole-pixel boxes they are exact.
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = SUPPORT * filterScale;
            int ksize = (int) Math.ceil(support) * 2 + 1;
            int[] bounds = new int[outSize * 2];
            double[] weights = new double[outSize * ksize];
            double[] k = new double[ksize];
            double wMax = 0.0;
            double ss = 1.0 / filterScale;
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                // C casts truncate toward zero, as Java's do
                int xmin = (int) (center - support + 0.5);
                if (xmin < 0) {
                    xmin = 0;
                }
                int xmax = (int) (center + support + 0.5);
                if (xmax > inSize) {
                    xmax = inSize;
                }
                xmax -= xmin;
                double ww = 0.0;
                for (int x = 0; x < xmax; x++) {
                    double w = triangle((x + xmin - center + 0.5) * ss);
                    k[x] = w;
                    ww += w;
                }
                for (int x = 0; x < xmax; x++) {
                    double w = ww != 0.0 ? k[x] / ww : k[x];
                    weights[xx * ksize + x] = w;
                    wMax = Math.max(wMax, w);
                }
                bounds[xx * 2] = xmin;
                bounds[xx * 2 + 1] = xmax;
            }
            int precision = fixedPoint == FixedPoint.PILLOW ? PRECISION_BITS : torchPrecision(wMax);
            int[] kk = new int[weights.length];
            for (int i = 0; i < weights.length; i++) {
                double w = weights[i];
                kk[i] = w < 0 ? (int) (-0.5 + w * (1 << precision)) : (int) (0.5 + w * (1 << precision));
            }
            return new Coefficients(ksize, precision, bounds, kk);
        }

        /** PyTorch's {@code compute_index_ranges_int16_weights}: most bits below 22 keeping wMax under 2^15. */
        static int torchPrecision(double wMax) {
            int p = 0;
            for (; p < 22; p++) {
                int next = (int) (0.5 + wMax * (1 << (p + 1)));
                if (next >= 1 << 15) {
                    break;
                }
            }
            return p;
        }

        private static double triangle(double x) {
            if (x < 0.0) {
                x = -x;
            }
            return x < 1.0 ? 1.0 - x : 0.0;
        }
    }
}
