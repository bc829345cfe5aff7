package io.vlmstreams.topology.it;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Image payloads for the bad-input tests, made in code so each says what it is: odd but valid
 * formats (palette, grayscale, 16-bit, alpha, CMYK, animated) and broken ones (truncated,
 * corrupt, a decompression bomb).
 */
final class BadImages {

    private static final int SIDE = 48;

    private BadImages() {
    }

    static byte[] png(BufferedImage image) {
        return write(image, "png");
    }

    static byte[] jpeg(BufferedImage image) {
        return write(image, "jpeg");
    }

    /** A small picture (gradient and a disc) in {@code type}. */
    static BufferedImage picture(int type) {
        BufferedImage img = new BufferedImage(SIDE, SIDE, type);
        Graphics2D g = img.createGraphics();
        for (int y = 0; y < SIDE; y++) {
            g.setColor(new Color(y * 5, 255 - y * 5, 128, 255 - y * 2));
            g.drawLine(0, y, SIDE, y);
        }
        g.setColor(Color.ORANGE);
        g.fillOval(10, 10, 28, 28);
        g.dispose();
        return img;
    }

    static byte[] palettePng() {
        return png(picture(BufferedImage.TYPE_BYTE_INDEXED));
    }

    static byte[] grayscalePng() {
        return png(picture(BufferedImage.TYPE_BYTE_GRAY));
    }

    static byte[] sixteenBitPng() {
        return png(picture(BufferedImage.TYPE_USHORT_GRAY));
    }

    static byte[] alphaPng() {
        return png(picture(BufferedImage.TYPE_INT_ARGB));
    }

    static byte[] rgbJpeg() {
        return jpeg(picture(BufferedImage.TYPE_INT_RGB));
    }

    /** A four-channel (CMYK) JPEG, written as a raster so no colour conversion happens. */
    static byte[] cmykJpeg() {
        WritableRaster raster = Raster.createWritableRaster(
                new PixelInterleavedSampleModel(DataBuffer.TYPE_BYTE, SIDE, SIDE, 4, SIDE * 4, new int[] {0, 1, 2, 3}), null);
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                raster.setPixel(x, y, new int[] {x * 5, y * 5, (x + y) * 2, 20});
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(raster, null, null), writer.getDefaultWriteParam());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** A GIF of three frames. */
    static byte[] animatedGif() {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.prepareWriteSequence(null);
            for (int frame = 0; frame < 3; frame++) {
                BufferedImage img = picture(BufferedImage.TYPE_BYTE_INDEXED);
                Graphics2D g = img.createGraphics();
                g.setColor(Color.BLUE);
                g.fillRect(frame * 12, 0, 12, SIDE);
                g.dispose();
                writer.writeToSequence(new IIOImage(img, null,
                        writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(img), null)), null);
            }
            writer.endWriteSequence();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    static byte[] truncated(byte[] image) {
        return Arrays.copyOf(image, image.length / 2);
    }

    /** The file's header intact, everything after it noise. */
    static byte[] corrupt(byte[] image, int keepHeader) {
        byte[] out = image.clone();
        java.util.Random random = new java.util.Random(7);
        for (int i = keepHeader; i < out.length; i++) {
            out[i] = (byte) random.nextInt(256);
        }
        return out;
    }

    /**
     * A PNG of a few KB that declares {@code side x side} 8-bit grayscale pixels: its IDAT is the
     * deflated zeros of the first rows only (a full one would still be tiny, deflate squeezes zeros
     * about a thousandfold), so only a size check before decoding protects the heap.
     */
    static byte[] decompressionBomb(int side) {
        Deflater deflater = new Deflater(9);
        byte[] rows = new byte[4 << 20];
        deflater.setInput(rows);
        deflater.finish();
        byte[] buffer = new byte[64 << 10];
        int n = deflater.deflate(buffer);
        deflater.end();
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(side).putInt(side).put((byte) 8).put((byte) 0)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IDAT", Arrays.copyOf(buffer, n));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(t);
        out.writeBytes(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    private static byte[] write(BufferedImage image, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no " + format + " writer for image type " + image.getType());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
