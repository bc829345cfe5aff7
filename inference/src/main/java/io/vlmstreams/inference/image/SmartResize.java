package io.vlmstreams.inference.image;

/**
 * Upstream's size arithmetic ({@code Lfm2VlImageProcessor.smart_resize} and
 * {@code _is_image_too_large}), with Python's semantics: {@code round} halves to even, float
 * division in double precision.
 */
public final class SmartResize {

    private SmartResize() {
    }

    /** A size in pixels. */
    public record Size(int height, int width) {
    }

    /**
     * Target size of a single tile or thumbnail: both sides multiples of {@code patch * downsample},
     * area within [minTokens, maxTokens] * (patch * downsample)^2, aspect kept as well as possible.
     */
    public static Size of(int height, int width, int patch, int downsample, int minTokens, int maxTokens) {
        int f = patch * downsample;
        long minPixels = (long) minTokens * patch * patch * downsample * downsample;
        long maxPixels = (long) maxTokens * patch * patch * downsample * downsample;
        long h = Math.max(f, roundByFactor(height, f));
        long w = Math.max(f, roundByFactor(width, f));
        if (h * w > maxPixels) {
            double beta = Math.sqrt(((double) height * width) / maxPixels);
            h = Math.max(f, (long) Math.floor(height / beta / f) * f);
            w = Math.max(f, (long) Math.floor(width / beta / f) * f);
        } else if (h * w < minPixels) {
            double beta = Math.sqrt(minPixels / ((double) height * width));
            h = (long) Math.ceil(height * beta / f) * f;
            w = (long) Math.ceil(width * beta / f) * f;
        }
        return new Size(Math.toIntExact(h), Math.toIntExact(w));
    }

    /** Whether the image needs tiling: its rounded area exceeds maxTokens * f^2 * tolerance (sides at least one patch). */
    public static boolean tooLargeForOneTile(int height, int width, int patch, int downsample, int maxTokens, double tolerance) {
        int f = patch * downsample;
        long h = Math.max(patch, roundByFactor(height, f));
        long w = Math.max(patch, roundByFactor(width, f));
        return h * w > (double) maxTokens * patch * patch * downsample * downsample * tolerance;
    }

    /** Python's {@code round(n / f) * f}: true division, then round half to even. */
    static long roundByFactor(int n, int f) {
        return (long) Math.rint((double) n / f) * f;
    }
}
