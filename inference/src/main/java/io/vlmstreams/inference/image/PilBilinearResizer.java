package io.vlmstreams.inference.image;

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
 * <p>The passes themselves stream row by row in {@link ResizedRows}; this class holds the
 * coefficient arithmetic and the whole-image entry point.
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
        if (outWidth == in.width() && outHeight == in.height()) {
            return in;
        }
        ResizedRows rows = new ResizedRows(in, outWidth, outHeight, fixedPoint);
        int stride = outWidth * 3;
        byte[] out = new byte[outHeight * stride];
        int[] row = new int[stride];
        for (int y = 0; y < outHeight; y++) {
            rows.next(row);
            for (int i = 0, o = y * stride; i < stride; i++) {
                out[o + i] = (byte) row[i];
            }
        }
        return new DecodedImage(outWidth, outHeight, out);
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
