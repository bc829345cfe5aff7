package io.vlmstreams.inference.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;

/**
 * Turns a decoded {@link BufferedImage} into 8-bit interleaved RGB the way PIL's
 * {@code Image.convert("RGB")} does: palette entries expanded, gray replicated to three channels,
 * alpha dropped (not composited over any background), stored samples used as they are (no colour
 * management, no gamma). 16-bit samples keep their high byte, which is what PIL's PNG decoder does
 * for 16-bit RGB(A) and gray+alpha. For 16-bit gray PIL instead opens mode {@code I;16} and clips
 * values above 255 to white on conversion, which wipes out almost every image; we keep the high
 * byte there too, a deliberate deviation in favour of the image's content.
 */
final class RgbConverter {

    private RgbConverter() {
    }

    static byte[] toRgb(BufferedImage img) {
        ColorModel cm = img.getColorModel();
        Raster raster = img.getRaster();
        if (cm instanceof IndexColorModel icm) {
            return fromPalette(icm, raster);
        }
        if (cm instanceof ComponentColorModel && !cm.isAlphaPremultiplied()) {
            int type = cm.getColorSpace().getType();
            int bands = raster.getNumBands();
            int colorBands = cm.getNumColorComponents();
            if (type == ColorSpace.TYPE_GRAY && colorBands == 1) {
                return fromComponents(raster, bands, new int[] {0, 0, 0});
            }
            if (type == ColorSpace.TYPE_RGB && colorBands == 3) {
                byte[] fast = fromInterleavedBytes(raster);
                return fast != null ? fast : fromComponents(raster, bands, new int[] {0, 1, 2});
            }
        }
        return fromRgbInts(img);
    }

    /** Bytes stored as interleaved 8-bit samples (JPEG's BGR, PNG's RGB/RGBA): read them directly. */
    private static byte[] fromInterleavedBytes(Raster raster) {
        if (!(raster.getDataBuffer() instanceof DataBufferByte db)
                || !(raster.getSampleModel() instanceof PixelInterleavedSampleModel sm)
                || raster.getSampleModelTranslateX() != 0 || raster.getSampleModelTranslateY() != 0
                || db.getNumBanks() != 1) {
            return null;
        }
        int w = raster.getWidth();
        int h = raster.getHeight();
        int[] offsets = sm.getBandOffsets();
        int ps = sm.getPixelStride();
        int ss = sm.getScanlineStride();
        byte[] src = db.getData();
        int base = db.getOffset();
        int r0 = offsets[0];
        int g0 = offsets[1];
        int b0 = offsets[2];
        byte[] out = new byte[w * h * 3];
        if (ps == 3 && ss == w * 3 && b0 == 2 - r0 && g0 == 1 && (r0 == 0 || r0 == 2) && base + out.length <= src.length) {
            // Packed 3-byte pixels, RGB or BGR (every JPEG): one flat pass, several times faster than the general loop.
            if (r0 == 0) {
                System.arraycopy(src, base, out, 0, out.length);
            } else {
                for (int i = 0, p = base; i < out.length; i += 3, p += 3) {
                    out[i] = src[p + 2];
                    out[i + 1] = src[p + 1];
                    out[i + 2] = src[p];
                }
            }
            return out;
        }
        int o = 0;
        for (int y = 0; y < h; y++) {
            int p = base + y * ss;
            for (int x = 0; x < w; x++, p += ps) {
                out[o++] = src[p + r0];
                out[o++] = src[p + g0];
                out[o++] = src[p + b0];
            }
        }
        return out;
    }

    /** Generic component path: {@code map} names the band feeding R, G and B. */
    private static byte[] fromComponents(Raster raster, int bands, int[] map) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        int bits = raster.getSampleModel().getSampleSize(map[0]);
        int transferType = raster.getTransferType();
        int shift = bits > 8 ? bits - 8 : 0;
        boolean floating = transferType == DataBuffer.TYPE_FLOAT || transferType == DataBuffer.TYPE_DOUBLE;
        byte[] out = new byte[w * h * 3];
        int[] row = new int[w * bands];
        int o = 0;
        for (int y = 0; y < h; y++) {
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
            for (int x = 0; x < w; x++) {
                int p = x * bands;
                for (int c = 0; c < 3; c++) {
                    int v = row[p + map[c]];
                    if (floating) {
                        v = Math.max(0, Math.min(255, v)); // float rasters are unusual; clip like PIL's F -> L
                    } else if (bits < 8) {
                        v = v * 255 / ((1 << bits) - 1); // PIL's L;1, L;2, L;4 scaling
                    } else {
                        v >>>= shift;
                    }
                    out[o++] = (byte) v;
                }
            }
        }
        return out;
    }

    private static byte[] fromPalette(IndexColorModel icm, Raster raster) {
        int size = icm.getMapSize();
        byte[] reds = new byte[size];
        byte[] greens = new byte[size];
        byte[] blues = new byte[size];
        icm.getReds(reds);
        icm.getGreens(greens);
        icm.getBlues(blues);
        int w = raster.getWidth();
        int h = raster.getHeight();
        byte[] out = new byte[w * h * 3];
        int[] row = new int[w];
        int o = 0;
        for (int y = 0; y < h; y++) {
            raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, 0, row);
            for (int x = 0; x < w; x++) {
                int i = row[x] < size ? row[x] : 0; // PIL reads indexes past the palette as black-ish; 0 is as good
                out[o++] = reds[i];
                out[o++] = greens[i];
                out[o++] = blues[i];
            }
        }
        return out;
    }

    /** Anything else (packed RGB such as 16-bit BMP, premultiplied, other colour spaces): via sRGB ints. */
    private static byte[] fromRgbInts(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] out = new byte[w * h * 3];
        int[] row = new int[w];
        int o = 0;
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int argb = row[x];
                out[o++] = (byte) (argb >> 16);
                out[o++] = (byte) (argb >> 8);
                out[o++] = (byte) argb;
            }
        }
        return out;
    }
}
