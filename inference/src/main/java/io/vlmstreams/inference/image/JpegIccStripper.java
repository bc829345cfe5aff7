package io.vlmstreams.inference.image;

/**
 * Removes embedded ICC profiles (APP2 {@code ICC_PROFILE} segments) from gray and three-component
 * JPEGs before decoding. PIL ignores the profile and returns the stored samples, and so does this
 * project's decoding; ImageIO instead converts the samples through the profile to sRGB, which both
 * changes the levels (by up to 55 on an ordinary camera file) and costs several milliseconds of
 * colour management per image. CMYK and YCCK files keep their profile: without one their
 * conversion would fall back to a generic CMYK profile, not to PIL's.
 */
final class JpegIccStripper {

    private static final byte[] ICC_PROFILE = {'I', 'C', 'C', '_', 'P', 'R', 'O', 'F', 'I', 'L', 'E', 0};

    private JpegIccStripper() {
    }

    /** {@code jpeg} without its ICC segments, or {@code jpeg} itself when there is nothing to strip or the markers are unusual. */
    static byte[] strip(byte[] jpeg) {
        if (jpeg.length < 4 || (jpeg[0] & 0xFF) != 0xFF || (jpeg[1] & 0xFF) != 0xD8) {
            return jpeg;
        }
        // Segments to drop as (start, end) pairs; a JPEG header rarely has more than a few.
        int[] drop = new int[8];
        int dropped = 0;
        int components = -1;
        int i = 2;
        while (true) {
            if (i + 4 > jpeg.length || (jpeg[i] & 0xFF) != 0xFF) {
                return jpeg; // cut short or not a marker: let the decoder report it
            }
            int marker = jpeg[i + 1] & 0xFF;
            if (marker == 0xFF) {
                i++; // fill byte
                continue;
            }
            if (marker == 0xDA || marker == 0xD9) {
                break; // start of scan / end of image: the header is over
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
                i += 2; // stand-alone markers carry no length
                continue;
            }
            int end = i + 2 + ((jpeg[i + 2] & 0xFF) << 8 | (jpeg[i + 3] & 0xFF));
            if (end > jpeg.length || end < i + 4) {
                return jpeg;
            }
            if (isStartOfFrame(marker) && i + 10 <= end) {
                components = jpeg[i + 9] & 0xFF;
            } else if (marker == 0xE2 && startsWith(jpeg, i + 4, end, ICC_PROFILE)) {
                if (dropped == drop.length) {
                    drop = java.util.Arrays.copyOf(drop, drop.length * 2);
                }
                drop[dropped++] = i;
                drop[dropped++] = end;
            }
            i = end;
        }
        if (dropped == 0 || (components != 1 && components != 3)) {
            return jpeg;
        }
        int removed = 0;
        for (int k = 0; k < dropped; k += 2) {
            removed += drop[k + 1] - drop[k];
        }
        byte[] out = new byte[jpeg.length - removed];
        int from = 0;
        int o = 0;
        for (int k = 0; k < dropped; k += 2) {
            System.arraycopy(jpeg, from, out, o, drop[k] - from);
            o += drop[k] - from;
            from = drop[k + 1];
        }
        System.arraycopy(jpeg, from, out, o, jpeg.length - from);
        return out;
    }

    /** SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
    private static boolean isStartOfFrame(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }

    private static boolean startsWith(byte[] b, int at, int end, byte[] prefix) {
        if (end - at < prefix.length) {
            return false;
        }
        for (int k = 0; k < prefix.length; k++) {
            if (b[at + k] != prefix[k]) {
                return false;
            }
        }
        return true;
    }
}
