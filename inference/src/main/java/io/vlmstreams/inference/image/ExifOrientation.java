package io.vlmstreams.inference.image;

import com.drew.imaging.ImageMetadataReader;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifDirectoryBase;
import com.drew.metadata.exif.ExifIFD0Directory;
import java.io.ByteArrayInputStream;

/**
 * EXIF orientation (tag 0x0112): reading it from an encoded file and applying it to a raster,
 * with the same meaning as PIL's {@code ImageOps.exif_transpose}.
 */
public final class ExifOrientation {

    private ExifOrientation() {
    }

    /** The orientation tag (1..8) of an encoded image, or 1 when absent or unreadable. */
    public static int read(byte[] encoded) {
        try {
            Metadata md = ImageMetadataReader.readMetadata(new ByteArrayInputStream(encoded), encoded.length);
            for (ExifIFD0Directory dir : md.getDirectoriesOfType(ExifIFD0Directory.class)) {
                if (dir.containsTag(ExifDirectoryBase.TAG_ORIENTATION)) {
                    int o = dir.getInt(ExifDirectoryBase.TAG_ORIENTATION);
                    return o >= 1 && o <= 8 ? o : 1;
                }
            }
        } catch (Exception | StackOverflowError e) {
            // Broken or exotic metadata must not fail an image that decodes: treat as upright.
        }
        return 1;
    }

    /** The raster as it should be displayed for {@code orientation}; the input itself for 1 or unknown values. */
    public static DecodedImage apply(DecodedImage in, int orientation) {
        if (orientation < 2 || orientation > 8) {
            return in;
        }
        int w = in.width();
        int h = in.height();
        boolean swap = orientation >= 5;
        int ow = swap ? h : w;
        int oh = swap ? w : h;
        byte[] src = in.rgb();
        byte[] out = new byte[src.length];
        int o = 0;
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> { sx = w - 1 - x; sy = y; }          // mirror left-right
                    case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }  // rotate 180
                    case 4 -> { sx = x; sy = h - 1 - y; }          // mirror top-bottom
                    case 5 -> { sx = y; sy = x; }                  // transpose
                    case 6 -> { sx = y; sy = h - 1 - x; }          // rotate 90 clockwise
                    case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }  // transverse
                    default -> { sx = w - 1 - y; sy = x; }         // 8: rotate 90 counter-clockwise
                }
                int s = (sy * w + sx) * 3;
                out[o++] = src[s];
                out[o++] = src[s + 1];
                out[o++] = src[s + 2];
            }
        }
        return new DecodedImage(ow, oh, out);
    }
}
