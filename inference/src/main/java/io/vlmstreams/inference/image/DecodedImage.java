package io.vlmstreams.inference.image;

import java.util.Objects;

/**
 * An 8-bit RGB raster: {@code rgb} holds {@code width * height * 3} bytes, row-major, channels
 * interleaved (R, G, B). The array is shared, not copied: treat it as read-only.
 */
public record DecodedImage(int width, int height, byte[] rgb) {

    public DecodedImage {
        Objects.requireNonNull(rgb, "rgb");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("empty image " + width + "x" + height);
        }
        if ((long) width * height * 3 != rgb.length) {
            throw new IllegalArgumentException(
                    "rgb holds " + rgb.length + " bytes, " + width + "x" + height + " needs " + (long) width * height * 3);
        }
    }

    /** Level (0..255) of channel {@code c} at column {@code x}, row {@code y}. */
    public int level(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xFF;
    }
}
