package io.vlmstreams.inference.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlmstreams.devstack.Fixtures;
import java.nio.file.Files;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Size arithmetic, grid choice, overrides, layout and tensor layout of {@link ImageProcessor}. */
class ImageProcessorTest {

    private final ImageProcessor processor = new ImageProcessor(ImageProcessorConfig.defaults());

    /** Expected values computed with upstream's Python functions (smart_resize, _is_image_too_large, grid choice). */
    @ParameterizedTest(name = "{0}x{1}")
    @CsvSource({
        // width, height, rows, cols, image height, image width
        "451, 300, 1, 1, 288, 448",
        "1920, 1080, 2, 4, 384, 672",
        "1411, 1411, 3, 3, 512, 512",
        "600, 400, 1, 1, 384, 608",      // round half to even: 400/32 = 12.5 -> 12
        "5, 3, 1, 1, 224, 352",
        "3, 5, 1, 1, 352, 224",
        "1, 1, 1, 1, 256, 256",
        "4000, 100, 1, 1, 64, 3232",
        "100, 4000, 1, 1, 3232, 64",
        "1024, 1024, 2, 2, 512, 512",
        "1023, 511, 1, 1, 352, 704",
        "724, 724, 2, 2, 512, 512",
        "2560, 1600, 2, 3, 384, 640",
        "10000, 7000, 2, 3, 416, 608",
        "800, 600, 1, 1, 416, 576",
        "33, 2000, 1, 1, 2016, 64",
    })
    void layoutMatchesUpstream(int w, int h, int rows, int cols, int ih, int iw) {
        TileLayout l = processor.layout(w, h, ImageSettings.NONE);
        assertThat(List.of(l.rows(), l.cols(), l.height(), l.width())).isEqualTo(List.of(rows, cols, ih, iw));
        assertThat(l.tiled()).isEqualTo(rows * cols > 1);
        assertThat(l.thumbnail()).isEqualTo(rows * cols > 1);
    }

    @Test
    void candidateGridsComeInCPythonSetOrder() {
        // printed by CPython 3.11: sorted(set(ratios), key=lambda x: x[0] * x[1])
        assertThat(TileGridChooser.candidates(2, 10).stream().map(g -> g.cols() + "," + g.rows()).toList())
                .containsExactly("1,2", "2,1", "3,1", "1,3", "2,2", "4,1", "1,4", "5,1", "1,5", "1,6", "6,1", "3,2",
                        "2,3", "7,1", "1,7", "4,2", "2,4", "1,8", "8,1", "1,9", "3,3", "9,1", "2,5", "5,2", "10,1", "1,10");
        assertThat(TileGridChooser.candidates(1, 12).stream().map(g -> g.cols() + "," + g.rows()).toList())
                .endsWith("11,1", "1,11", "12,1", "3,4", "4,3", "1,12", "6,2", "2,6");
        assertThat(PythonSetOrder.tupleHash(new long[] {1, 2})).isEqualTo(-3550055125485641917L);
        assertThat(PythonSetOrder.tupleHash(new long[] {3, 3})).isEqualTo(5972319052856130739L);
    }

    @Test
    void exactTieKeepsTheEarlierGridForSmallImagesAndTakesTheLaterForLargeOnes() {
        // aspect 1.25 is 0.75 from both 1x2 and 2x1; upstream's set order puts (1, 2) first
        assertThat(TileGridChooser.choose(500, 400, 2, 2, 512)).isEqualTo(new TileGridChooser.Grid(1, 2));
        assertThat(TileGridChooser.choose(1250, 1000, 2, 2, 512)).isEqualTo(new TileGridChooser.Grid(2, 1));
        // square: 2x2 then 3x3 both exact; 3x3 wins once area > 0.5 * 512^2 * 9
        assertThat(TileGridChooser.choose(1086, 1086, 2, 10, 512)).isEqualTo(new TileGridChooser.Grid(2, 2));
        assertThat(TileGridChooser.choose(1087, 1087, 2, 10, 512)).isEqualTo(new TileGridChooser.Grid(3, 3));
    }

    @Test
    void tensorsHaveUpstreamLayout() {
        DecodedImage img = random(1920, 1080, 7);
        ProcessedImage p = processor.process(img);
        assertThat(p.tiles()).isEqualTo(9);
        assertThat(p.maxPatches()).isEqualTo(1024);
        assertThat(p.pixelValues()).hasSize(9 * 1024 * 768);
        assertThat(p.spatialShapes()).startsWith(32, 32).endsWith(24, 42);
        assertThat(p.validPatches(8)).isEqualTo(24 * 42);
        assertThat(p.pixelAttentionMask()[8 * 1024 + 24 * 42 - 1]).isEqualTo(1);
        assertThat(p.pixelAttentionMask()[8 * 1024 + 24 * 42]).isZero();
        assertThat(p.layout().imageTokensPerTile()).hasSize(9).startsWith(256).endsWith(12 * 21);
        assertThat(p.layout().imageTokens()).isEqualTo(8 * 256 + 252);

        // patch (py=1, px=2) of tile (row 0, col 1): values ordered (dy, dx, channel)
        DecodedImage grid = PilBilinearResizer.resize(img, 4 * 512, 2 * 512, PilBilinearResizer.FixedPoint.TORCH_INT16);
        int patch = 1 * 32 + 2;
        int base = (1 * 1024 + patch) * 768;
        int dy = 5;
        int dx = 9;
        int c = 2;
        int level = grid.level(512 + 2 * 16 + dx, 16 + dy, c);
        assertThat(p.pixelValues()[base + (dy * 16 + dx) * 3 + c]).isEqualTo((level - 127.5f) / 127.5f);
    }

    @Test
    void normalizationIsUpstreamsFloat32Arithmetic() {
        float[][] lut = Patchifier.normalizationTable(ImageProcessorConfig.defaults());
        assertThat(lut[0][0]).isEqualTo(-1f);
        assertThat(lut[1][255]).isEqualTo(1f);
        for (int level = 0; level < 256; level++) {
            assertThat((double) lut[2][level]).isCloseTo(level / 127.5 - 1, org.assertj.core.data.Offset.offset(4e-7));
        }
    }

    @Test
    void perRequestSettingsChangeSizesAndPadding() {
        DecodedImage img = random(1920, 1080, 3);
        ProcessedImage single = processor.process(img, new ImageSettings(null, null, false));
        assertThat(single.tiles()).isEqualTo(1);
        assertThat(single.maxPatches()).isEqualTo(1024); // 256 tokens * 4, no tile term
        assertThat(single.layout().expand()).doesNotContain("img_row");

        ProcessedImage small = processor.process(img, new ImageSettings(16, 64, false));
        assertThat(small.maxPatches()).isEqualTo(256);
        assertThat(small.layout().imageTokens()).isLessThanOrEqualTo(64);
        ProcessedImage repadded = small.withMaxPatches(1024);
        assertThat(repadded.maxPatches()).isEqualTo(1024);
        assertThat(repadded.validPatches(0)).isEqualTo(small.validPatches(0));
        assertThat(repadded.pixelValues()[small.validPatches(0) * 768 - 1]).isEqualTo(small.pixelValues()[small.validPatches(0) * 768 - 1]);

        assertThatThrownBy(() -> processor.process(img, new ImageSettings(300, 200, null)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void expansionTextFollowsLfm2VlProcessor() {
        TileLayout tiled = new TileLayout(1, 2, true, true, 64, 96, 512, 16, 2);
        assertThat(tiled.expand()).isEqualTo("<|image_start|><|img_row_1_col_1|>" + "<image>".repeat(256)
                + "<|img_row_1_col_2|>" + "<image>".repeat(256) + "<|img_thumbnail|>" + "<image>".repeat(6) + "<|image_end|>");
        TileLayout noThumb = new TileLayout(2, 1, true, false, 64, 96, 512, 16, 2);
        assertThat(noThumb.tiles()).isEqualTo(2);
        assertThat(noThumb.expand()).endsWith("<|img_row_2_col_1|>" + "<image>".repeat(256) + "<|image_end|>");
        TileLayout one = new TileLayout(1, 1, false, false, 288, 448, 512, 16, 2);
        assertThat(one.expand()).isEqualTo("<|image_start|>" + "<image>".repeat(9 * 14) + "<|image_end|>");
        // ds(s) = ceil(floor(s / 16) / 2): odd patch counts round up
        assertThat(new TileLayout(1, 1, false, false, 48, 80, 512, 16, 2).imageTokens()).isEqualTo(2 * 3);
    }

    @Test
    void configReadsTheModelFolderJson() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ImageProcessorConfig c = ImageProcessorConfig.fromJson(
                json.readTree(Files.readString(Fixtures.upstream().resolve("tiny-lfm2vl/processor_config.json"))));
        assertThat(c).isEqualTo(ImageProcessorConfig.defaults().withJson(json.readTree("{\"rescale_factor\": 0.00392156862745098}")));
        ImageProcessorConfig custom = c.withJson(json.readTree(
                "{\"use_thumbnail\": false, \"max_image_tokens\": 128, \"image_mean\": 0.25, \"min_tiles\": 4}"));
        assertThat(custom.useThumbnail()).isFalse();
        assertThat(custom.maxImageTokens()).isEqualTo(128);
        assertThat(custom.imageMean()).containsExactly(0.25, 0.25, 0.25);
        assertThat(custom.minTiles()).isEqualTo(4);
        assertThat(custom.effectiveMaxPatches()).isEqualTo(1024);
        assertThatThrownBy(() -> c.withJson(json.readTree("{\"resample\": 3}"))).isInstanceOf(IllegalArgumentException.class);
    }

    static DecodedImage random(int w, int h, long seed) {
        byte[] rgb = new byte[w * h * 3];
        new Random(seed).nextBytes(rgb);
        return new DecodedImage(w, h, rgb);
    }
}
