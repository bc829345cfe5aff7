package io.vlmstreams.inference.image;

import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decodes the everyday PNGs straight to RGB bytes: not interlaced, 8 or 16 bits per sample, gray,
 * gray + alpha, RGB, RGBA or palette. ImageIO's reader takes three to four times as long on them
 * (row-by-row stream reads and raster copies around the same zlib inflate). The result is what
 * {@link RgbConverter} makes of ImageIO's image: alpha dropped, gray replicated, palette expanded,
 * 16-bit samples cut to their high byte. Anything else, and anything suspect (a CRC mismatch, a cut
 * or over-long stream, a palette index past the palette), yields {@code null}, and the caller
 * falls back to ImageIO, which then reports or decodes it as before.
 */
final class PngFastPath {

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final int IHDR = 0x49484452;
    private static final int PLTE = 0x504C5445;
    private static final int IDAT = 0x49444154;
    private static final int IEND = 0x49454E44;

    private PngFastPath() {
    }

    /** The IHDR fields the fast path needs. */
    record Header(int width, int height, int bitDepth, int colorType) {

        int channels() {
            return switch (colorType) {
                case 0, 3 -> 1;
                case 4 -> 2;
                case 2 -> 3;
                default -> 4; // 6
            };
        }
    }

    /** The header when {@code bytes} is a PNG of a kind this class decodes, else {@code null}. */
    static Header header(byte[] bytes) {
        if (bytes.length < 8 + 25) {
            return null;
        }
        for (int i = 0; i < SIGNATURE.length; i++) {
            if (bytes[i] != SIGNATURE[i]) {
                return null;
            }
        }
        if (int32(bytes, 8) != 13 || int32(bytes, 12) != IHDR) {
            return null;
        }
        int width = int32(bytes, 16);
        int height = int32(bytes, 20);
        int depth = bytes[24] & 0xFF;
        int colorType = bytes[25] & 0xFF;
        int compression = bytes[26] & 0xFF;
        int filter = bytes[27] & 0xFF;
        int interlace = bytes[28] & 0xFF;
        boolean typeOk = colorType == 0 || colorType == 2 || colorType == 4 || colorType == 6
                || (colorType == 3 && depth == 8);
        if (width <= 0 || height <= 0 || (depth != 8 && depth != 16) || !typeOk
                || compression != 0 || filter != 0 || interlace != 0) {
            return null;
        }
        return new Header(width, height, depth, colorType);
    }

    /** The RGB raster of a PNG whose {@link #header} was not null, or {@code null} to fall back to ImageIO. */
    static DecodedImage decode(byte[] bytes, Header h) {
        int bytesPerPixel = h.channels() * h.bitDepth() / 8;
        long rowBytesLong = (long) h.width() * bytesPerPixel;
        long rawSize = (rowBytesLong + 1) * h.height();
        if (rawSize > Integer.MAX_VALUE - 16 || (long) h.width() * h.height() * 3 > Integer.MAX_VALUE - 16) {
            return null;
        }
        int rowBytes = (int) rowBytesLong;
        byte[] palette = null;
        byte[] raw = new byte[(int) rawSize];
        int produced = 0;
        boolean ended = false;
        CRC32 crc = new CRC32();
        Inflater inflater = new Inflater();
        try {
            int at = 8;
            while (at + 12 <= bytes.length) {
                int length = int32(bytes, at);
                int type = int32(bytes, at + 4);
                if (length < 0 || length > bytes.length - at - 12) {
                    return null;
                }
                crc.reset();
                crc.update(bytes, at + 4, length + 4);
                if ((int) crc.getValue() != int32(bytes, at + 8 + length)) {
                    return null;
                }
                if (type == PLTE) {
                    if (palette != null || length % 3 != 0 || produced > 0) {
                        return null;
                    }
                    palette = new byte[length];
                    System.arraycopy(bytes, at + 8, palette, 0, length);
                } else if (type == IDAT) {
                    if (inflater.finished()) {
                        return null; // data after the end of the stream
                    }
                    inflater.setInput(bytes, at + 8, length);
                    while (!inflater.needsInput() && !inflater.finished()) {
                        if (produced == raw.length) {
                            return null; // the stream holds more than the image
                        }
                        int n = inflater.inflate(raw, produced, raw.length - produced);
                        if (n == 0 && (inflater.needsDictionary() || !inflater.needsInput() && !inflater.finished())) {
                            return null;
                        }
                        produced += n;
                    }
                } else if (type == IEND) {
                    ended = true;
                    break;
                } else if ((bytes[at + 4] & 0x20) == 0 && (type != IHDR || at != 8)) {
                    return null; // an unknown critical chunk: ImageIO decides what that means
                }
                at += 12 + length;
            }
        } catch (DataFormatException e) {
            return null;
        } finally {
            inflater.end();
        }
        if (!ended || produced != raw.length || (h.colorType() == 3 && palette == null)) {
            return null;
        }
        if (!unfilter(raw, h.height(), rowBytes, bytesPerPixel)) {
            return null;
        }
        byte[] rgb = toRgb(raw, h, rowBytes, palette);
        return rgb == null ? null : new DecodedImage(h.width(), h.height(), rgb);
    }

    /**
     * Undoes the per-row filters in place; false on an unknown filter type. One small method per
     * filter and per colour type below, each compiled on its own with a stable profile.
     */
    private static boolean unfilter(byte[] raw, int height, int rowBytes, int bpp) {
        int stride = rowBytes + 1;
        for (int y = 0; y < height; y++) {
            int row = y * stride + 1;
            int filter = raw[row - 1];
            if (filter < 0 || filter > 4) {
                return false;
            }
            if (filter == 0) {
                continue;
            }
            if (y == 0) {
                firstRow(raw, row, rowBytes, bpp, filter);
                continue;
            }
            int prior = row - stride;
            switch (filter) {
                case 1 -> sub(raw, row, rowBytes, bpp);
                case 2 -> up(raw, row, prior, rowBytes);
                case 3 -> average(raw, row, prior, rowBytes, bpp);
                default -> paeth(raw, row, prior, rowBytes, bpp);
            }
        }
        return true;
    }

    /** No row above: Up adds nothing, Average halves the left byte, Paeth picks the left byte. */
    private static void firstRow(byte[] raw, int row, int rowBytes, int bpp, int filter) {
        for (int i = bpp; i < rowBytes; i++) {
            int left = raw[row + i - bpp] & 0xFF;
            raw[row + i] += (byte) (filter == 3 ? left >>> 1 : filter == 2 ? 0 : left);
        }
    }

    private static void sub(byte[] raw, int row, int rowBytes, int bpp) {
        for (int i = bpp; i < rowBytes; i++) {
            raw[row + i] += raw[row + i - bpp];
        }
    }

    private static void up(byte[] raw, int row, int prior, int rowBytes) {
        for (int i = 0; i < rowBytes; i++) {
            raw[row + i] += raw[prior + i];
        }
    }

    private static void average(byte[] raw, int row, int prior, int rowBytes, int bpp) {
        for (int i = 0; i < bpp; i++) {
            raw[row + i] += (byte) ((raw[prior + i] & 0xFF) >>> 1);
        }
        for (int i = bpp; i < rowBytes; i++) {
            raw[row + i] += (byte) (((raw[row + i - bpp] & 0xFF) + (raw[prior + i] & 0xFF)) >>> 1);
        }
    }

    private static void paeth(byte[] raw, int row, int prior, int rowBytes, int bpp) {
        for (int i = 0; i < bpp; i++) {
            raw[row + i] += raw[prior + i]; // left and upper-left are 0: Paeth picks up
        }
        for (int i = bpp; i < rowBytes; i++) {
            int a = raw[row + i - bpp] & 0xFF;
            int b = raw[prior + i] & 0xFF;
            int c = raw[prior + i - bpp] & 0xFF;
            int pa = Math.abs(b - c);
            int pb = Math.abs(a - c);
            int pc = Math.abs(a + b - 2 * c);
            // pa <= pb && pa <= pc ? a : pb <= pc ? b : c, without branches: photos make these
            // comparisons unpredictable, and mispredictions dominated this loop.
            int notA = ((pb - pa) | (pc - pa)) >> 31;
            int notB = (pc - pb) >> 31;
            int bc = (b & ~notB) | (c & notB);
            raw[row + i] += (byte) ((a & ~notA) | (bc & notA));
        }
    }

    /** Unfiltered rows to interleaved 8-bit RGB; null when a palette index lies past the palette. */
    private static byte[] toRgb(byte[] raw, Header h, int rowBytes, byte[] palette) {
        int w = h.width();
        int step = h.bitDepth() / 8; // bytes per sample; a 16-bit sample's high byte comes first
        int pixel = h.channels() * step;
        byte[] out = new byte[w * h.height() * 3];
        for (int y = 0, o = 0; y < h.height(); y++, o += w * 3) {
            int p = y * (rowBytes + 1) + 1;
            if (h.colorType() == 3) {
                if (!paletteRow(raw, p, palette, out, o, w)) {
                    return null;
                }
            } else if (h.channels() <= 2) {
                grayRow(raw, p, pixel, out, o, w);
            } else if (pixel == 3) {
                System.arraycopy(raw, p, out, o, w * 3);
            } else {
                colourRow(raw, p, pixel, step, out, o, w);
            }
        }
        return out;
    }

    private static boolean paletteRow(byte[] raw, int p, byte[] palette, byte[] out, int o, int w) {
        int entries = palette.length / 3;
        for (int x = 0; x < w; x++, o += 3) {
            int i = raw[p + x] & 0xFF;
            if (i >= entries) {
                return false;
            }
            out[o] = palette[i * 3];
            out[o + 1] = palette[i * 3 + 1];
            out[o + 2] = palette[i * 3 + 2];
        }
        return true;
    }

    private static void grayRow(byte[] raw, int p, int pixel, byte[] out, int o, int w) {
        for (int x = 0; x < w; x++, p += pixel, o += 3) {
            byte v = raw[p];
            out[o] = v;
            out[o + 1] = v;
            out[o + 2] = v;
        }
    }

    private static void colourRow(byte[] raw, int p, int pixel, int step, byte[] out, int o, int w) {
        for (int x = 0; x < w; x++, p += pixel, o += 3) {
            out[o] = raw[p];
            out[o + 1] = raw[p + step];
            out[o + 2] = raw[p + 2 * step];
        }
    }

    private static int int32(byte[] b, int at) {
        return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
    }
}
