package io.vlmstreams.inference.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.vlmstreams.devstack.Fixtures;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;

/** The PNG fast path yields exactly what ImageIO + {@link RgbConverter} yield, and steps aside for what it does not handle. */
class PngFastPathTest {

    private static final Random RANDOM = new Random(7);

    @Test
    void fixturePngsMatchImageIo() throws Exception {
        List<Path> pngs;
        try (Stream<Path> files = Files.list(Fixtures.upstream().resolve("images"))) {
            pngs = files.filter(p -> p.toString().endsWith(".png")).sorted().toList();
        }
        assertThat(pngs).hasSizeGreaterThanOrEqualTo(8);
        for (Path p : pngs) {
            assertMatchesImageIo(p.getFileName().toString(), Files.readAllBytes(p));
        }
    }

    @Test
    void everyColourTypeAndDepthMatchesImageIo() throws Exception {
        assertMatchesImageIo("gray8", png(noisy(BufferedImage.TYPE_BYTE_GRAY, 37, 23)));
        assertMatchesImageIo("gray16", png(noisy(BufferedImage.TYPE_USHORT_GRAY, 37, 23)));
        assertMatchesImageIo("rgb8", png(noisy(BufferedImage.TYPE_3BYTE_BGR, 61, 19)));
        assertMatchesImageIo("rgba8", png(noisy(BufferedImage.TYPE_4BYTE_ABGR, 29, 31)));
        assertMatchesImageIo("rgb16", png(sixteenBit(false, 23, 17)));
        assertMatchesImageIo("rgba16", png(sixteenBit(true, 23, 17)));
        assertMatchesImageIo("gray-alpha8", png(grayAlpha(DataBuffer.TYPE_BYTE, 33, 9)));
        assertMatchesImageIo("gray-alpha16", png(grayAlpha(DataBuffer.TYPE_USHORT, 33, 9)));
        assertMatchesImageIo("palette8", png(palette(200, 41, 13)));
        // smooth content makes the encoder pick every filter type, Paeth and Average included
        BufferedImage smooth = new BufferedImage(97, 45, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 45; y++) {
            for (int x = 0; x < 97; x++) {
                smooth.setRGB(x, y, (x * 2 + y) << 16 | (x * y % 256) << 8 | (255 - y * 3));
            }
        }
        assertMatchesImageIo("smooth", png(smooth));
    }

    @Test
    void interlacedAndLowDepthPngsAreLeftToImageIo() throws Exception {
        byte[] interlaced = interlacedPng(noisy(BufferedImage.TYPE_3BYTE_BGR, 16, 16));
        assertThat(PngFastPath.header(interlaced)).isNull();
        assertThat(PngFastPath.header(png(new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_BINARY)))).isNull();
        // and the decoder still decodes them, through ImageIO
        assertThat(new ImageDecoder(ImageLimits.defaults()).decode(interlaced).rgb())
                .isEqualTo(RgbConverter.toRgb(ImageIO.read(new ByteArrayInputStream(interlaced))));
    }

    @Test
    void aBadChecksumOrACutStreamFallsBack() throws Exception {
        byte[] good = png(noisy(BufferedImage.TYPE_3BYTE_BGR, 20, 20));
        PngFastPath.Header h = PngFastPath.header(good);
        byte[] badCrc = good.clone();
        badCrc[badCrc.length - 20] ^= 1; // inside the last IDAT
        assertThat(PngFastPath.decode(badCrc, h)).isNull();
        byte[] cut = java.util.Arrays.copyOf(good, good.length - 30);
        assertThat(PngFastPath.decode(cut, h)).isNull();
    }

    private static void assertMatchesImageIo(String name, byte[] png) throws IOException {
        PngFastPath.Header h = PngFastPath.header(png);
        assertThat(h).as("%s takes the fast path", name).isNotNull();
        DecodedImage fast = PngFastPath.decode(png, h);
        assertThat(fast).as("%s decodes on the fast path", name).isNotNull();
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(fast.width()).isEqualTo(img.getWidth());
        assertThat(fast.height()).isEqualTo(img.getHeight());
        assertThat(fast.rgb()).as(name).isEqualTo(RgbConverter.toRgb(img));
    }

    private static BufferedImage noisy(int type, int w, int h) {
        BufferedImage img = new BufferedImage(w, h, type);
        WritableRaster r = img.getRaster();
        int max = r.getSampleModel().getSampleSize(0) == 16 ? 65535 : 255;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int b = 0; b < r.getNumBands(); b++) {
                    r.setSample(x, y, b, (x * 7 + y * 13 + b * 50 + RANDOM.nextInt(20)) * max / 400 % (max + 1));
                }
            }
        }
        return img;
    }

    private static BufferedImage sixteenBit(boolean alpha, int w, int h) {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), alpha, false,
                alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        return fill(new BufferedImage(cm, cm.createCompatibleWritableRaster(w, h), false, null), 65535);
    }

    private static BufferedImage grayAlpha(int dataType, int w, int h) {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
                Transparency.TRANSLUCENT, dataType);
        return fill(new BufferedImage(cm, cm.createCompatibleWritableRaster(w, h), false, null),
                dataType == DataBuffer.TYPE_BYTE ? 255 : 65535);
    }

    private static BufferedImage fill(BufferedImage img, int max) {
        WritableRaster r = img.getRaster();
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                for (int b = 0; b < r.getNumBands(); b++) {
                    r.setSample(x, y, b, RANDOM.nextInt(max + 1));
                }
            }
        }
        return img;
    }

    private static BufferedImage palette(int entries, int w, int h) {
        byte[] r = new byte[entries];
        byte[] g = new byte[entries];
        byte[] b = new byte[entries];
        RANDOM.nextBytes(r);
        RANDOM.nextBytes(g);
        RANDOM.nextBytes(b);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(8, entries, r, g, b, 3));
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.getRaster().setSample(x, y, 0, RANDOM.nextInt(entries));
            }
        }
        return img;
    }

    private static byte[] png(BufferedImage img) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        assertThat(ImageIO.write(img, "png", bos)).isTrue();
        return bos.toByteArray();
    }

    private static byte[] interlacedPng(BufferedImage img) throws IOException {
        ImageWriter w = ImageIO.getImageWritersByFormatName("png").next();
        ImageWriteParam param = w.getDefaultWriteParam();
        IIOMetadata md = w.getDefaultImageMetadata(new javax.imageio.ImageTypeSpecifier(img), param);
        IIOMetadataNode root = (IIOMetadataNode) md.getAsTree("javax_imageio_png_1.0");
        ((IIOMetadataNode) root.getElementsByTagName("IHDR").item(0)).setAttribute("interlaceMethod", "adam7");
        md.setFromTree("javax_imageio_png_1.0", root);
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bos)) {
            w.setOutput(out);
            w.write(new IIOImage(img, null, md));
        } finally {
            w.dispose();
        }
        return bos.toByteArray();
    }
}
