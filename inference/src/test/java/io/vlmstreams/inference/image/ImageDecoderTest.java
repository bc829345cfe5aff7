package io.vlmstreams.inference.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Iterator;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;

/** Decoding of generated images of every supported layout, PIL-style RGB conversion, limits and failures. */
class ImageDecoderTest {

    private final ImageDecoder decoder = new ImageDecoder(ImageLimits.defaults());

    @Test
    void rgbPngRoundTripsExactly() throws Exception {
        BufferedImage img = gradient(BufferedImage.TYPE_3BYTE_BGR, 7, 5);
        DecodedImage d = decoder.decode(encode(img, "png"));
        assertThat(d.width()).isEqualTo(7);
        assertThat(d.height()).isEqualTo(5);
        assertSameRgb(d, img);
    }

    @Test
    void rgbaPngDropsAlphaWithoutCompositing() throws Exception {
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_ARGB);
        img.setRGB(0, 0, 0x00FF0000); // fully transparent red: PIL keeps the red
        img.setRGB(1, 0, 0x8012AB34);
        img.setRGB(2, 1, 0xFF010203);
        DecodedImage d = decoder.decode(encode(img, "png"));
        assertThat(rgb(d, 0, 0)).containsExactly(255, 0, 0);
        assertThat(rgb(d, 1, 0)).containsExactly(0x12, 0xAB, 0x34);
        assertThat(rgb(d, 2, 1)).containsExactly(1, 2, 3);
    }

    @Test
    void palettePngExpandsPaletteAndIgnoresTransparency() throws Exception {
        byte[] r = {10, 20, (byte) 200};
        byte[] g = {11, 21, (byte) 201};
        byte[] b = {12, 22, (byte) 202};
        IndexColorModel icm = new IndexColorModel(8, 3, r, g, b, 1); // index 1 transparent
        BufferedImage img = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_INDEXED, icm);
        WritableRaster wr = img.getRaster();
        wr.setSample(0, 0, 0, 2);
        wr.setSample(1, 0, 0, 1);
        wr.setSample(2, 0, 0, 0);
        DecodedImage d = decoder.decode(encode(img, "png"));
        assertThat(rgb(d, 0, 0)).containsExactly(200, 201, 202);
        assertThat(rgb(d, 1, 0)).containsExactly(20, 21, 22);
        assertThat(rgb(d, 2, 0)).containsExactly(10, 11, 12);
    }

    @Test
    void grayPngIsReplicated() throws Exception {
        BufferedImage img = new BufferedImage(4, 1, BufferedImage.TYPE_BYTE_GRAY);
        for (int x = 0; x < 4; x++) {
            img.getRaster().setSample(x, 0, 0, x * 80);
        }
        DecodedImage d = decoder.decode(encode(img, "png"));
        for (int x = 0; x < 4; x++) {
            assertThat(rgb(d, x, 0)).containsExactly(x * 80, x * 80, x * 80);
        }
    }

    @Test
    void sixteenBitPngsKeepTheHighByte() throws Exception {
        BufferedImage gray = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        gray.getRaster().setSample(0, 0, 0, 0x1234);
        gray.getRaster().setSample(1, 0, 0, 0xFFFF);
        DecodedImage g = decoder.decode(encode(gray, "png"));
        assertThat(rgb(g, 0, 0)).containsExactly(0x12, 0x12, 0x12);
        assertThat(rgb(g, 1, 0)).containsExactly(255, 255, 255);

        ComponentColorModel cm = new ComponentColorModel(java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_sRGB),
                false, false, java.awt.Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster wr = cm.createCompatibleWritableRaster(1, 1);
        wr.setPixel(0, 0, new int[] {0xABCD, 0x0102, 0xFF00});
        BufferedImage rgb16 = new BufferedImage(cm, wr, false, null);
        DecodedImage c = decoder.decode(encode(rgb16, "png"));
        assertThat(rgb(c, 0, 0)).containsExactly(0xAB, 0x01, 0xFF);
    }

    @Test
    void bmpDecodes() throws Exception {
        BufferedImage img = gradient(BufferedImage.TYPE_3BYTE_BGR, 9, 4);
        assertSameRgb(decoder.decode(encode(img, "bmp")), img);
    }

    @Test
    void gifYieldsTheFirstFrame() throws Exception {
        BufferedImage first = solid(6, 3, 0xFF0000);
        BufferedImage second = solid(6, 3, 0x0000FF);
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        ImageWriter w = ImageIO.getImageWritersByFormatName("gif").next();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bos)) {
            w.setOutput(out);
            w.prepareWriteSequence(null);
            w.writeToSequence(new IIOImage(first, null, null), null);
            w.writeToSequence(new IIOImage(second, null, null), null);
            w.endWriteSequence();
        } finally {
            w.dispose();
        }
        DecodedImage d = decoder.decode(bos.toByteArray());
        assertThat(d.width()).isEqualTo(6);
        assertThat(rgb(d, 3, 1)).containsExactly(255, 0, 0);
    }

    @Test
    void baselineAndProgressiveJpegDecodeToTheSamePixels() throws Exception {
        BufferedImage img = new BufferedImage(40, 24, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 24; y++) {
            for (int x = 0; x < 40; x++) {
                img.setRGB(x, y, (x * 6) << 16 | (y * 10) << 8 | 128); // smooth: JPEG keeps it close
            }
        }
        DecodedImage baseline = decoder.decode(encodeJpeg(img, false));
        DecodedImage progressive = decoder.decode(encodeJpeg(img, true));
        assertThat(progressive.width()).isEqualTo(40);
        assertThat(progressive.height()).isEqualTo(24);
        // same quantized coefficients, same decoder: identical pixels; and close to the source
        assertThat(progressive.rgb()).isEqualTo(baseline.rgb());
        assertThat(maxDiff(baseline, img)).isLessThan(16);
    }

    @Test
    void jpegIccProfileIsIgnoredLikePil() throws Exception {
        byte[] plain = encodeJpeg(gradient(BufferedImage.TYPE_3BYTE_BGR, 48, 32), false);
        byte[] profiled = withIccProfile(plain, ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData());
        // ImageIO on its own converts through the profile: the levels move a lot
        assertThat(maxDiff(decoder.decode(plain), ImageIO.read(new ByteArrayInputStream(profiled)))).isGreaterThan(20);

        DecodedImage d = decoder.decode(profiled);
        assertThat(d.rgb()).isEqualTo(decoder.decode(plain).rgb());
    }

    @Test
    void cmykJpegDecodesToRgb() throws Exception {
        // An Adobe CMYK JPEG written from a raw 4-band raster (no colour conversion on write).
        WritableRaster cmyk = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 16, 16, 4, null);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                cmyk.setPixel(x, y, new int[] {0, 255, 255, 0}); // red in CMYK
            }
        }
        byte[] jpeg;
        try {
            jpeg = encodeRaster(cmyk);
        } catch (IOException | RuntimeException e) {
            org.junit.jupiter.api.Assumptions.abort("this JDK cannot write a CMYK JPEG: " + e);
            return;
        }
        DecodedImage d = decoder.decode(jpeg);
        assertThat(d.width()).isEqualTo(16);
        int[] px = rgb(d, 8, 8);
        assertThat(px[0]).as("red channel of %s", Arrays.toString(px)).isGreaterThan(150);
        assertThat(px[1]).as("green channel of %s", Arrays.toString(px)).isLessThan(110);
    }

    @Test
    void exifOrientationSixRotatesClockwise() throws Exception {
        BufferedImage img = new BufferedImage(4, 2, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 4; x++) {
                img.setRGB(x, y, x == 0 && y == 0 ? 0xFFFFFF : 0x000000); // white top-left corner
            }
        }
        byte[] jpeg = withExifOrientation(encodeJpeg(img, false), 6);
        DecodedImage upright = decoder.decode(jpeg);
        assertThat(upright.width()).isEqualTo(2);
        assertThat(upright.height()).isEqualTo(4);
        assertThat(upright.level(1, 0, 0)).as("top-left goes to top-right").isGreaterThan(128);
        assertThat(upright.level(0, 0, 0)).isLessThan(128);

        DecodedImage raw = new ImageDecoder(ImageLimits.defaults().withApplyExifOrientation(false)).decode(jpeg);
        assertThat(raw.width()).isEqualTo(4);
        assertThat(ExifOrientation.read(jpeg)).isEqualTo(6);
    }

    @Test
    void pngExifChunkOrientationApplies() throws Exception {
        BufferedImage img = new BufferedImage(4, 2, BufferedImage.TYPE_3BYTE_BGR);
        img.setRGB(0, 0, 0xFF0000); // top-left red
        byte[] png = encode(img, "png");
        assertThat(ExifOrientation.read(png)).isEqualTo(1);
        byte[] tagged = withPngExifOrientation(png, 6);
        assertThat(ExifOrientation.read(tagged)).isEqualTo(6);
        DecodedImage upright = decoder.decode(tagged);
        assertThat(upright.width()).isEqualTo(2);
        assertThat(upright.height()).isEqualTo(4);
        assertThat(rgb(upright, 1, 0)).containsExactly(255, 0, 0); // rotated clockwise: top-left goes top-right
    }

    @Test
    void orientationTransformsMatchPil() {
        // 3x2 raster with distinct pixels; PIL's exif_transpose results written out by hand.
        DecodedImage in = indexed(3, 2);
        assertThat(order(ExifOrientation.apply(in, 2))).containsExactly(2, 1, 0, 5, 4, 3);
        assertThat(order(ExifOrientation.apply(in, 3))).containsExactly(5, 4, 3, 2, 1, 0);
        assertThat(order(ExifOrientation.apply(in, 4))).containsExactly(3, 4, 5, 0, 1, 2);
        assertThat(order(ExifOrientation.apply(in, 5))).containsExactly(0, 3, 1, 4, 2, 5);
        assertThat(order(ExifOrientation.apply(in, 6))).containsExactly(3, 0, 4, 1, 5, 2);
        assertThat(order(ExifOrientation.apply(in, 7))).containsExactly(5, 2, 4, 1, 3, 0);
        assertThat(order(ExifOrientation.apply(in, 8))).containsExactly(2, 5, 1, 4, 0, 3);
        assertThat(ExifOrientation.apply(in, 1)).isSameAs(in);
    }

    @Test
    void emptyGarbageAndTruncatedInputsAreUndecodable() throws Exception {
        byte[] png = encode(gradient(BufferedImage.TYPE_3BYTE_BGR, 64, 64), "png");
        byte[] jpeg = encodeJpeg(gradient(BufferedImage.TYPE_3BYTE_BGR, 64, 64), false);
        byte[][] bad = {
            new byte[0],
            "definitely not an image".getBytes(),
            Arrays.copyOf(png, png.length / 2),
            Arrays.copyOf(png, 30),
            Arrays.copyOf(jpeg, jpeg.length / 2),
            Arrays.copyOf(jpeg, 20),
            corrupt(png),
        };
        for (byte[] b : bad) {
            assertThatThrownBy(() -> decoder.decode(b))
                    .isInstanceOf(ImageException.class)
                    .satisfies(e -> assertThat(((ImageException) e).kind()).isEqualTo(ImageException.Kind.UNDECODABLE));
        }
        assertThatThrownBy(() -> decoder.decode(null)).isInstanceOf(ImageException.class);
    }

    @Test
    void decompressionBombIsRefusedFromTheHeader() {
        byte[] bomb = pngHeaderOnly(50_000, 50_000);
        assertThat(bomb.length).isLessThan(100);
        assertThatThrownBy(() -> decoder.decode(bomb))
                .isInstanceOf(ImageException.class)
                .hasMessageContaining("50000x50000")
                .satisfies(e -> assertThat(((ImageException) e).kind()).isEqualTo(ImageException.Kind.TOO_LARGE));
    }

    @Test
    void byteAndSideLimitsApply() throws Exception {
        byte[] png = encode(gradient(BufferedImage.TYPE_3BYTE_BGR, 300, 10), "png");
        ImageDecoder tight = new ImageDecoder(new ImageLimits(png.length - 1, 1_000_000, 10_000, true));
        assertThatThrownBy(() -> tight.decode(png)).isInstanceOf(ImageException.class)
                .satisfies(e -> assertThat(((ImageException) e).kind()).isEqualTo(ImageException.Kind.TOO_LARGE));
        ImageDecoder narrow = new ImageDecoder(new ImageLimits(1 << 20, 1_000_000, 299, true));
        assertThatThrownBy(() -> narrow.decode(png)).isInstanceOf(ImageException.class)
                .satisfies(e -> assertThat(((ImageException) e).kind()).isEqualTo(ImageException.Kind.TOO_LARGE));
        ImageDecoder few = new ImageDecoder(new ImageLimits(1 << 20, 2_999, 10_000, true));
        assertThatThrownBy(() -> few.decode(png)).isInstanceOf(ImageException.class)
                .satisfies(e -> assertThat(((ImageException) e).kind()).isEqualTo(ImageException.Kind.TOO_LARGE));
    }

    // ---- helpers

    static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        if (!ImageIO.write(img, format, bos)) {
            throw new IOException("no " + format + " writer for this image type");
        }
        return bos.toByteArray();
    }

    private static byte[] encodeJpeg(BufferedImage img, boolean progressive) throws IOException {
        ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bos)) {
            w.setOutput(out);
            ImageWriteParam p = w.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(0.95f);
            if (progressive) {
                p.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            }
            w.write(null, new IIOImage(img, null, null), p);
        } finally {
            w.dispose();
        }
        return bos.toByteArray();
    }

    /** {@code jpeg} with an APP2 ICC_PROFILE segment holding {@code profile} right after SOI. */
    private static byte[] withIccProfile(byte[] jpeg, byte[] profile) {
        byte[] id = "ICC_PROFILE\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int length = 2 + id.length + 2 + profile.length;
        ByteBuffer b = ByteBuffer.allocate(jpeg.length + 2 + length);
        b.put(jpeg, 0, 2).put((byte) 0xFF).put((byte) 0xE2).putShort((short) length)
                .put(id).put((byte) 1).put((byte) 1).put(profile).put(jpeg, 2, jpeg.length - 2);
        return b.array();
    }

    private static byte[] encodeRaster(Raster raster) throws IOException {
        Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName("jpeg");
        IOException last = null;
        while (it.hasNext()) {
            ImageWriter w = it.next();
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            try (ImageOutputStream out = ImageIO.createImageOutputStream(bos)) {
                w.setOutput(out);
                if (!w.canWriteRasters()) {
                    continue;
                }
                w.write(null, new IIOImage(raster, null, null), w.getDefaultWriteParam());
                return bos.toByteArray();
            } catch (IOException e) {
                last = e;
            } finally {
                w.dispose();
            }
        }
        throw last != null ? last : new IOException("no JPEG writer writes rasters");
    }

    /** Inserts an APP1 Exif segment with only an orientation tag right after SOI. */
    private static byte[] withExifOrientation(byte[] jpeg, int orientation) {
        ByteBuffer tiff = ByteBuffer.allocate(26);
        tiff.put(new byte[] {'M', 'M', 0, 42, 0, 0, 0, 8}); // big-endian TIFF, IFD0 at 8
        tiff.putShort((short) 1); // one entry
        tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        tiff.putInt(0); // no next IFD
        byte[] exif = new byte[6 + tiff.capacity()];
        System.arraycopy("Exif\0\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), 0, exif, 0, 6);
        System.arraycopy(tiff.array(), 0, exif, 6, tiff.capacity());
        int len = exif.length + 2;
        byte[] out = new byte[jpeg.length + 4 + exif.length];
        out[0] = (byte) 0xFF;
        out[1] = (byte) 0xD8;
        out[2] = (byte) 0xFF;
        out[3] = (byte) 0xE1;
        out[4] = (byte) (len >> 8);
        out[5] = (byte) len;
        System.arraycopy(exif, 0, out, 6, exif.length);
        System.arraycopy(jpeg, 2, out, 6 + exif.length, jpeg.length - 2);
        return out;
    }

    /** {@code png} with an eXIf chunk holding the orientation tag, right after IHDR. */
    private static byte[] withPngExifOrientation(byte[] png, int orientation) {
        ByteBuffer tiff = ByteBuffer.allocate(26);
        tiff.put(new byte[] {'M', 'M', 0, 42, 0, 0, 0, 8});
        tiff.putShort((short) 1);
        tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        tiff.putInt(0);
        ByteBuffer chunk = ByteBuffer.allocate(12 + 26);
        chunk.putInt(26).put("eXIf".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)).put(tiff.array());
        CRC32 crc = new CRC32();
        crc.update(chunk.array(), 4, 4 + 26);
        chunk.putInt((int) crc.getValue());
        int afterIhdr = 8 + 25;
        ByteBuffer out = ByteBuffer.allocate(png.length + chunk.capacity());
        out.put(png, 0, afterIhdr).put(chunk.array()).put(png, afterIhdr, png.length - afterIhdr);
        return out.array();
    }

    /** Signature + a valid IHDR chunk declaring {@code w x h} 8-bit RGB, and nothing else. */
    static byte[] pngHeaderOnly(int w, int h) {
        ByteBuffer ihdr = ByteBuffer.allocate(17);
        ihdr.put("IHDR".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)).putInt(w).putInt(h)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        ByteBuffer png = ByteBuffer.allocate(8 + 4 + 17 + 4);
        png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        png.putInt(13).put(ihdr.array()).putInt((int) crc.getValue());
        return png.array();
    }

    private static byte[] corrupt(byte[] png) {
        byte[] c = png.clone();
        for (int i = 60; i < c.length - 20; i += 7) {
            c[i] ^= 0x5A; // scramble the compressed data, keep the header intact
        }
        return c;
    }

    private static BufferedImage gradient(int type, int w, int h) {
        BufferedImage img = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, ((x * 37) & 0xFF) << 16 | ((y * 53) & 0xFF) << 8 | ((x * y * 11) & 0xFF));
            }
        }
        return img;
    }

    private static BufferedImage solid(int w, int h, int rgb) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    private static DecodedImage indexed(int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        for (int i = 0; i < w * h; i++) {
            rgb[i * 3] = (byte) i;
        }
        return new DecodedImage(w, h, rgb);
    }

    private static int[] order(DecodedImage d) {
        int[] out = new int[d.width() * d.height()];
        for (int i = 0; i < out.length; i++) {
            out[i] = d.rgb()[i * 3];
        }
        return out;
    }

    private static int[] rgb(DecodedImage d, int x, int y) {
        return new int[] {d.level(x, y, 0), d.level(x, y, 1), d.level(x, y, 2)};
    }

    private static void assertSameRgb(DecodedImage d, BufferedImage img) {
        assertThat(maxDiff(d, img)).isZero();
    }

    private static int maxDiff(DecodedImage d, BufferedImage img) {
        int max = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int p = img.getRGB(x, y);
                max = Math.max(max, Math.abs(d.level(x, y, 0) - ((p >> 16) & 0xFF)));
                max = Math.max(max, Math.abs(d.level(x, y, 1) - ((p >> 8) & 0xFF)));
                max = Math.max(max, Math.abs(d.level(x, y, 2) - (p & 0xFF)));
            }
        }
        return max;
    }
}
