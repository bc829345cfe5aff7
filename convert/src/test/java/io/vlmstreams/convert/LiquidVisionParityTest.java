package io.vlmstreams.convert;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.vlmstreams.devstack.Fixtures;
import io.vlmstreams.inference.io.Npy;
import io.vlmstreams.inference.io.NpyArray;
import io.vlmstreams.inference.model.Lfm2VlConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The liquid-layout vision encoder built from the tiny upstream checkpoint: one call per tile shape reproduces
 * upstream's image_features from the golden preprocessed pixels; a call that mixes tile shapes does not (the
 * published graph sizes the position embeddings once per call), which is the behaviour the engine has to work around.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LiquidVisionParityTest {

    private static final List<String> IMAGES = List.of("Storm.jpg", "coins.png", "motorcycle_right.png", "text.png");
    private static final double ABS_TOL = 1e-3;
    private static final double REL_TOL = 1e-4;
    /** A mixed call must differ from upstream by clearly more than float noise. */
    private static final double MIXED_MIN_DIFF = 1e-2;

    private OrtEnvironment env;
    private OrtSession encoder;
    private OnnxMl.ModelProto model;
    private Lfm2VlConfig cfg;
    private Map<String, List<GoldenTiles.Tile>> tiles;
    private Map<String, NpyArray> reference;

    @BeforeAll
    void setUp() throws Exception {
        cfg = Lfm2VlConfig.read(Fixtures.tinyCheckpoint().resolve("config.json"));
        try (SafetensorsReader weights = SafetensorsReader.open(Fixtures.tinyCheckpoint())) {
            model = LiquidVisionGraphs.visionEncoder(cfg, weights);
        }
        env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            encoder = env.createSession(model.toByteArray(), options);
        }
        tiles = GoldenTiles.load(IMAGES);
        reference = Npy.readNpz(Fixtures.tinyCheckpoint().resolve("reference_tensors.npz"));
    }

    @AfterAll
    void tearDown() throws OrtException {
        if (encoder != null) {
            encoder.close();
        }
    }

    @Test
    void keepsTheOnnxCommunityInterfaceOnFusedOperators() throws OrtException {
        assertThat(encoder.getInputNames()).containsExactlyInAnyOrder("pixel_values", "pixel_attention_mask", "spatial_shapes");
        assertThat(encoder.getOutputNames()).containsExactly("image_features");
        assertThat(GraphOps.count(model, "com.microsoft", "MultiHeadAttention")).isEqualTo(cfg.vision().numHiddenLayers());
        assertThat(GraphOps.count(model, "com.microsoft", "FastGelu")).isEqualTo(cfg.vision().numHiddenLayers());
        assertThat(GraphOps.count(model, "", "Resize")).isEqualTo(1);
        // the one Resize is sized from spatial_shapes (its first row), and every attention takes the mask's bias
        assertThat(GraphOps.feedsFrom(model, GraphOps.only(model, "", "Resize"), "spatial_shapes")).isTrue();
        for (OnnxMl.NodeProto mha : GraphOps.nodes(model, "com.microsoft", "MultiHeadAttention")) {
            assertThat(mha.getInput(5)).as("attention_bias of %s", mha.getName()).isNotEmpty();
            assertThat(GraphOps.feedsFrom(model, GraphOps.producer(model, mha.getInput(5)), "pixel_attention_mask")).isTrue();
        }
        assertThat(model.getOpsetImportList()).anyMatch(o -> o.getDomain().equals("com.microsoft"));
    }

    @Test
    void oneCallPerTileShapeMatchesUpstreamImageFeatures() throws OrtException {
        for (String image : IMAGES) {
            float[][] out = GoldenTiles.encodeByShape(env, encoder, tiles.get(image), cfg.downsampleFactor());
            double excess = excessOverTolerance(image, out);
            assertThat(excess).as("%s: max diff beyond tolerance", image).isLessThanOrEqualTo(0.0);
        }
    }

    @Test
    void oneCallMixingTileShapesDiffersFromUpstream() throws OrtException {
        // Storm: six 32x32 tiles and a 26x38 thumbnail; the thumbnail last, so the tiles keep the right embeddings
        List<GoldenTiles.Tile> storm = tiles.get("Storm.jpg");
        assertThat(storm.stream().map(t -> t.rows() + "x" + t.cols()).distinct()).hasSizeGreaterThan(1);
        float[][] mixed = GoldenTiles.encode(env, encoder, storm);
        float[][] byShape = GoldenTiles.encodeByShape(env, encoder, storm, cfg.downsampleFactor());
        int tileRows = 0;
        for (int i = 0; i < storm.size() - 1; i++) {
            tileRows += storm.get(i).featureRows(cfg.downsampleFactor());
        }
        double leading = maxDiff(mixed, byShape, 0, tileRows);
        double thumbnail = maxDiff(mixed, byShape, tileRows, mixed.length);
        System.out.printf("liquid vision, Storm.jpg in one call: tiles of the first shape max |diff| %.3g, thumbnail %.3g%n",
                leading, thumbnail);
        assertThat(leading).isLessThanOrEqualTo(1e-5);
        assertThat(thumbnail).isGreaterThan(MIXED_MIN_DIFF);

        // several images in one call: every image after the first shape's gets the first tile's grid
        List<GoldenTiles.Tile> batch = new ArrayList<>(tiles.get("coins.png"));
        batch.addAll(tiles.get("text.png"));
        float[][] together = GoldenTiles.encode(env, encoder, batch);
        float[][] textAlone = GoldenTiles.encodeByShape(env, encoder, tiles.get("text.png"), cfg.downsampleFactor());
        int coinsRows = tiles.get("coins.png").get(0).featureRows(cfg.downsampleFactor());
        double textDiff = 0;
        for (int r = 0; r < textAlone.length; r++) {
            textDiff = Math.max(textDiff, maxAbs(together[coinsRows + r], textAlone[r]));
        }
        System.out.printf("liquid vision, coins.png + text.png in one call: text.png max |diff| %.3g%n", textDiff);
        assertThat(textDiff).isGreaterThan(MIXED_MIN_DIFF);
    }

    private double excessOverTolerance(String image, float[][] out) {
        NpyArray ref = reference.get(image + "/image_features");
        double[] values = ref.asDoubles();
        int cols = (int) ref.shape()[1];
        assertThat(out.length).as("rows of " + image).isEqualTo((int) ref.shape()[0]);
        double maxAbs = 0;
        double excess = Double.NEGATIVE_INFINITY;
        for (int r = 0; r < out.length; r++) {
            for (int c = 0; c < cols; c++) {
                double expected = values[r * cols + c];
                double diff = Math.abs(out[r][c] - expected);
                maxAbs = Math.max(maxAbs, diff);
                excess = Math.max(excess, diff - (ABS_TOL + REL_TOL * Math.abs(expected)));
            }
        }
        System.out.printf("liquid vision %-22s %4d x %d  max abs diff vs upstream %.3g%n", image, out.length, cols, maxAbs);
        return excess;
    }

    private static double maxDiff(float[][] a, float[][] b, int from, int to) {
        double worst = 0;
        for (int r = from; r < to; r++) {
            worst = Math.max(worst, maxAbs(a[r], b[r]));
        }
        return worst;
    }

    private static double maxAbs(float[] a, float[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }
}
