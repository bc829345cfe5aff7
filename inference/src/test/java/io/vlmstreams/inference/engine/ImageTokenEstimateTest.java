package io.vlmstreams.inference.engine;

import io.vlmstreams.inference.image.ImageProcessor;
import io.vlmstreams.inference.image.ImageProcessorConfig;
import io.vlmstreams.inference.image.ImageSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The image-token estimate a caller sizes its batches by, read from the header alone, is what the
 * engine's own preprocessing then gives the request: same decoder, same EXIF orientation, same tiling.
 */
class ImageTokenEstimateTest {

    private static LocalInferenceEngine engine;

    @BeforeAll
    static void open() {
        // EXIF orientation on, as the application runs
        engine = LocalInferenceEngine.open(EngineConfig.defaults(TinyModel.onnxFolder()));
    }

    @AfterAll
    static void close() {
        if (engine != null) {
            engine.close();
        }
    }

    private static InferenceRequest request(String id, byte[] image) {
        return InferenceRequest.generate(id, image, "Describe this image.", GenerationSettings.greedy(1));
    }

    @Test
    void theEstimateIsThePreparedImageTokensForEveryFixtureImage() {
        for (String name : List.of("Garden.jpg", "Spring.png", "Storm.jpg", "coins.png", "green_palette.png", "ihc.png",
                "logo.png", "microaneurysms.png", "motorcycle_right.png", "retina.jpg", "text.png")) {
            InferenceRequest r = request(name, TinyModel.imageBytes(name));
            assertThat(engine.estimateImageTokens(r)).as(name).isEqualTo(engine.prepare(r).imageTokens());
        }
        InferenceRequest small = new InferenceRequest("small-tiles", TinyModel.imageBytes("Storm.jpg"), "Describe.",
                InferenceRequest.Mode.GENERATE, List.of(), GenerationSettings.greedy(1), new ImageOptions(32, 64, false));
        assertThat(engine.estimateImageTokens(small)).isEqualTo(engine.prepare(small).imageTokens());
    }

    @Test
    void aPhotoTurnedByItsExifOrientationIsEstimatedAsTurned() throws Exception {
        // 800x666 and 666x800 tile differently under the tiny model's preprocessing
        ImageProcessor processor = new ImageProcessor(ImageProcessorConfig.fromJson(engine.folder().imageProcessorConfig()));
        int wide = processor.layout(800, 666, ImageSettings.NONE).imageTokens();
        int tall = processor.layout(666, 800, ImageSettings.NONE).imageTokens();
        assertThat(wide).isNotEqualTo(tall);

        byte[] rotated = withExifOrientation(jpeg(800, 666), 6);
        InferenceRequest r = request("rotated", rotated);
        assertThat(engine.estimateImageTokens(r)).isEqualTo(tall).isEqualTo(engine.prepare(r).imageTokens());
        assertThat(engine.estimateImageTokens(request("upright", jpeg(800, 666)))).isEqualTo(wide);
    }

    @Test
    void anUnreadableHeaderFailsWithTheKindThePreparationGives() {
        InferenceRequest garbage = request("garbage", "definitely not an image".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> engine.estimateImageTokens(garbage)).isInstanceOfSatisfying(InferenceException.class,
                e -> assertThat(e.kind()).isEqualTo(InferenceException.Kind.IMAGE_UNDECODABLE));
        assertThatThrownBy(() -> engine.prepare(garbage)).isInstanceOfSatisfying(InferenceException.class,
                e -> assertThat(e.kind()).isEqualTo(InferenceException.Kind.IMAGE_UNDECODABLE));
    }

    private static byte[] jpeg(int width, int height) throws IOException {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, (x * 255 / width) << 16 | (y * 255 / height) << 8);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "jpeg", out);
        return out.toByteArray();
    }

    /** {@code jpeg} with an APP1 EXIF segment holding only the orientation tag, right after SOI. */
    private static byte[] withExifOrientation(byte[] jpeg, int orientation) {
        ByteBuffer tiff = ByteBuffer.allocate(26);
        tiff.put(new byte[] {'M', 'M', 0, 42, 0, 0, 0, 8}); // big-endian TIFF, IFD0 at 8
        tiff.putShort((short) 1); // one entry
        tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        tiff.putInt(0); // no next IFD
        byte[] header = "Exif\0\0".getBytes(StandardCharsets.ISO_8859_1);
        int length = 2 + header.length + tiff.capacity();
        ByteBuffer out = ByteBuffer.allocate(jpeg.length + 2 + length);
        out.put(jpeg, 0, 2).put((byte) 0xFF).put((byte) 0xE1).putShort((short) length).put(header).put(tiff.array())
                .put(jpeg, 2, jpeg.length - 2);
        return out.array();
    }
}
