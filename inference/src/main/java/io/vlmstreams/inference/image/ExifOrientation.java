package io.vlmstreams.inference.image;

import com.drew.imaging.ImageMetadataReader;
import com.drew.imaging.jpeg.JpegMetadataReader;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifDirectoryBase;
import com.drew.metadata.exif.ExifIFD0Directory;
import com.drew.metadata.exif.ExifReader;
import java.io.ByteArrayInputStream;
import java.util.List;

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
            Metadata md;
            if (encoded.length > 2 && (encoded[0] & 0xFF) == 0xFF && (encoded[1] & 0xFF) == 0xD8) {
                // Only the EXIF segments: the ICC, XMP, Photoshop... readers cost a millisecond and more.
                md = JpegMetadataReader.readMetadata(new ByteArrayInputStream(encoded), List.of(new ExifReader()));
            } else if (isPngWithoutExif(encoded)) {
                return 1; // a PNG keeps EXIF only in an eXIf chunk; skip parsing its ICC profile and texts
            } else {
                md = ImageMetadataReader.readMetadata(new ByteArrayInputStream(encoded), encoded.length);
            }
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

    /** Whether {@code b} is a PNG whose well-formed chunk list, up to IEND, holds no eXIf chunk. */
    private static boolean isPngWithoutExif(byte[] b) {
        if (b.length < 8 || (b[0] & 0xFF) != 0x89 || b[1] != 'P' || b[2] != 'N' || b[3] != 'G') {
            return false;
        }
        int at = 8;
        while (at + 12 <= b.length) {
            long length = (b[at] & 0xFFL) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
            if (b[at + 4] == 'e' && b[at + 5] == 'X' && b[at + 6] == 'I' && b[at + 7] == 'f') {
                return false;
            }
            if (b[at + 4] == 'I' && b[at + 5] == 'E' && b[at + 6] == 'N' && b[at + 7] == 'D') {
                return true;
            }
            long next = at + 12L + length;
            if (next > b.length) {
                return false; // malformed: let the full reader judge
            }
            at = (int) next;
        }
        return false;
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
