package io.vlmstreams.inference.image;

/**
 * Bounds checked before any pixel is decoded, plus decoder options.
 *
 * @param maxBytes             largest accepted encoded payload
 * @param maxPixels            largest accepted width * height, as declared in the file header
 * @param maxSide              largest accepted width or height
 * @param applyExifOrientation rotate/flip per the EXIF orientation tag when it is present and not 1.
 *                             Upstream (PIL's {@code Image.open}) ignores the tag, so turning this off
 *                             gives bit-exact upstream inputs; on gives what a person sees.
 */
public record ImageLimits(long maxBytes, long maxPixels, int maxSide, boolean applyExifOrientation) {

    public ImageLimits {
        if (maxBytes <= 0 || maxPixels <= 0 || maxSide <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }

    /** 32 MiB, 64 megapixels (PIL's own bomb warning starts near 89 MP), 16384 per side, EXIF on. */
    public static ImageLimits defaults() {
        return new ImageLimits(32L << 20, 64_000_000L, 16_384, true);
    }

    public ImageLimits withApplyExifOrientation(boolean apply) {
        return new ImageLimits(maxBytes, maxPixels, maxSide, apply);
    }
}
