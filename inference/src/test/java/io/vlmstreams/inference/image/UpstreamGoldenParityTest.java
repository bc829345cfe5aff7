package io.vlmstreams.inference.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlmstreams.inference.io.Npy;
import io.vlmstreams.inference.io.NpyArray;
import io.vlmstreams.devstack.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every image of fixtures/upstream/images against the golden output of upstream transformers 5.17
 * (preprocess/golden-dev.{jsonl,npz}): tiling, shapes, prompt expansion and pixel levels.
 */
class UpstreamGoldenParityTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Map<String, NpyArray> golden;

    @BeforeAll
    static void loadGolden() throws IOException {
        golden = Npy.readNpz(Fixtures.upstream().resolve("preprocess/golden-dev.npz"));
    }

    static Stream<JsonNode> goldenLines() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(Fixtures.upstream().resolve("preprocess/golden-dev.jsonl"))) {
            if (!line.isBlank()) {
                out.add(JSON.readTree(line));
            }
        }
        return out.stream();
    }

    @Test
    void goldenCoversEveryFixtureImage() throws IOException {
        List<String> names;
        try (Stream<Path> files = Files.list(Fixtures.upstream().resolve("images"))) {
            names = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(goldenLines().map(g -> g.get("image").asText()).sorted().toList()).isEqualTo(names);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenLines")
    void matchesUpstream(JsonNode g) throws Exception {
        String name = g.get("image").asText();
        DecodedImage image = decodeAsUpstream(name);
        assertThat(List.of(image.width(), image.height())).as("size_wh")
                .isEqualTo(List.of(g.get("size_wh").get(0).asInt(), g.get("size_wh").get(1).asInt()));

        ProcessedImage p = new ImageProcessor(ImageProcessorConfig.defaults()).process(image);
        JsonNode shape = g.get("pixel_values_shape");
        assertThat(new int[] {p.tiles(), p.maxPatches(), p.patchValues()}).as("pixel_values_shape")
                .containsExactly(shape.get(0).asInt(), shape.get(1).asInt(), shape.get(2).asInt());
        JsonNode ss = g.get("spatial_shapes");
        for (int t = 0; t < p.tiles(); t++) {
            assertThat(new long[] {p.spatialShapes()[2 * t], p.spatialShapes()[2 * t + 1]}).as("spatial_shapes[%d]", t)
                    .containsExactly(ss.get(t).get(0).asLong(), ss.get(t).get(1).asLong());
        }
        TileLayout layout = p.layout();
        assertThat(layout.rows()).as("image_rows").isEqualTo(g.get("image_rows").get(0).asInt());
        assertThat(layout.cols()).as("image_cols").isEqualTo(g.get("image_cols").get(0).asInt());
        assertThat(List.of(layout.height(), layout.width())).as("image_sizes").isEqualTo(
                List.of(g.get("image_sizes").get(0).get(0).asInt(), g.get("image_sizes").get(0).get(1).asInt()));
        long valid = 0;
        for (long m : p.pixelAttentionMask()) {
            valid += m;
        }
        assertThat(valid).as("valid_patches").isEqualTo(g.get("valid_patches").asLong());
        assertThat(layout.imageTokens()).as("image tokens")
                .isEqualTo(layout.imageTokensPerTile().stream().mapToInt(Integer::intValue).sum());

        String expanded = runLength(layout.expand() + "Describe this image .");
        assertThat(expanded).as("expanded").isEqualTo(g.get("expanded").asText());

        int maxDiff = comparePixels(name, p);
        // Measured: with PyTorch's int16 fixed point every level equals upstream's; keep it that way.
        assertThat(maxDiff).as("levels of %s differ from upstream", name).isZero();
    }

    /** Pillow's fixed point (the PIL-based processor of older transformers) stays within one level of 5.17's. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenLines")
    void pillowFixedPointIsWithinOneLevel(JsonNode g) throws Exception {
        String name = g.get("image").asText();
        DecodedImage image = decodeAsUpstream(name);
        ProcessedImage p = new ImageProcessor(ImageProcessorConfig.defaults(), PilBilinearResizer.FixedPoint.PILLOW).process(image);
        int pv = p.patchValues();
        long total = 0;
        long exact = 0;
        for (int t = 0; t < p.tiles(); t++) {
            byte[] want = golden.get(name + "/tile" + t).data();
            int base = t * p.maxPatches() * pv;
            for (int i = 0; i < want.length; i++) {
                int d = Math.abs((int) Math.rint((p.pixelValues()[base + i] + 1.0) * 127.5) - (want[i] & 0xFF));
                assertThat(d).isLessThanOrEqualTo(1);
                total++;
                exact += d == 0 ? 1 : 0;
            }
        }
        System.out.printf("pillow-fixed-point %-22s exact %.6f%n", name, (double) exact / total);
    }

    /** An upstream fixture image decoded as PIL's Image.open does it: EXIF orientation ignored. */
    private static DecodedImage decodeAsUpstream(String name) throws IOException, ImageException {
        byte[] bytes = Files.readAllBytes(Fixtures.upstream().resolve("images").resolve(name));
        return new ImageDecoder(ImageLimits.defaults().withApplyExifOrientation(false)).decode(bytes);
    }

    private static int comparePixels(String name, ProcessedImage p) {
        int pv = p.patchValues();
        long total = 0;
        long exact = 0;
        int maxDiff = 0;
        for (int t = 0; t < p.tiles(); t++) {
            NpyArray tile = golden.get(name + "/tile" + t);
            assertThat(tile).as("golden tile %d", t).isNotNull();
            int valid = p.validPatches(t);
            assertThat(tile.shape()).containsExactly(valid, pv);
            byte[] want = tile.data();
            int base = t * p.maxPatches() * pv;
            for (int i = 0; i < valid * pv; i++) {
                int level = (int) Math.rint((p.pixelValues()[base + i] + 1.0) * 127.5);
                int d = Math.abs(level - (want[i] & 0xFF));
                total++;
                if (d == 0) {
                    exact++;
                }
                maxDiff = Math.max(maxDiff, d);
            }
            // padding must be zeros
            for (int i = valid * pv; i < p.maxPatches() * pv; i++) {
                if (p.pixelValues()[base + i] != 0f) {
                    throw new AssertionError("non-zero padding in tile " + t + " at " + i);
                }
            }
        }
        double ratio = (double) exact / total;
        System.out.printf("parity %-22s values %9d exact %.6f max level diff %d%n", name, total, ratio, maxDiff);
        assertThat(maxDiff).as("max level difference of %s", name).isLessThanOrEqualTo(1);
        assertThat(ratio).as("exact-match ratio of %s", name).isGreaterThanOrEqualTo(0.999);
        return maxDiff;
    }

    /** Whitespace-joined tokens with runs folded as {@code tokxN}, like the golden file's "expanded" field. */
    static String runLength(String text) {
        List<String> tokens = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<\\|[^|]*\\|>|<image>|\\S+?(?=<|\\s|$)|\\S+")
                .matcher(text);
        while (m.find()) {
            tokens.add(m.group());
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < tokens.size(); ) {
            int j = i;
            while (j < tokens.size() && tokens.get(j).equals(tokens.get(i))) {
                j++;
            }
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(tokens.get(i));
            if (j - i > 1) {
                sb.append('x').append(j - i);
            }
            i = j;
        }
        return sb.toString();
    }
}
