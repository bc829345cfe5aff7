package io.vlmstreams.convert;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlmstreams.inference.io.Npy;
import io.vlmstreams.inference.io.NpyArray;
import io.vlmstreams.inference.model.Lfm2VlConfig;
import io.vlmstreams.devstack.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The vision graphs built from the tiny upstream checkpoint reproduce upstream's per-image
 * {@code image_features} from the golden preprocessed pixels, combined and split, and batching
 * tiles of several images changes no image's features.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VisionParityTest {

    private static final List<String> IMAGES = List.of("Storm.jpg", "coins.png", "motorcycle_right.png", "text.png");
    private static final int MAX_PATCHES = 1024;
    private static final double ABS_TOL = 1e-3;
    private static final double REL_TOL = 1e-4;

    private OrtEnvironment env;
    private OrtSession combined;
    private OrtSession encoder;
    private OrtSession projector;
    private Lfm2VlConfig cfg;
    private final Map<String, List<Tile>> tiles = new LinkedHashMap<>();
    private final Map<String, NpyArray> reference = new LinkedHashMap<>();

    /** One preprocessed tile: its real patches as pixel values and its (rows, cols) in patches. */
    private record Tile(float[] patches, int rows, int cols) {
        int count() {
            return rows * cols;
        }
    }

    @BeforeAll
    void setUp() throws Exception {
        Path upstream = Fixtures.upstream();
        Path tiny = Fixtures.tinyCheckpoint();
        cfg = Lfm2VlConfig.read(tiny.resolve("config.json"));
        OnnxMl.ModelProto combinedModel;
        OnnxMl.ModelProto encoderModel;
        OnnxMl.ModelProto projectorModel;
        try (SafetensorsReader weights = SafetensorsReader.open(tiny)) {
            combinedModel = VisionGraphs.visionEncoder(cfg, weights, true);
            encoderModel = VisionGraphs.visionEncoder(cfg, weights, false);
            projectorModel = VisionGraphs.projector(cfg, weights);
        }
        long encoderParams = OnnxGraphBuilder.parameterCount(encoderModel);
        long projectorParams = OnnxGraphBuilder.parameterCount(projectorModel);
        System.out.printf("tiny LFM2-VL parameters: vision encoder %,d, projector %,d, combined graph %,d%n",
                encoderParams, projectorParams, OnnxGraphBuilder.parameterCount(combinedModel));
        assertThat(OnnxGraphBuilder.parameterCount(combinedModel)).isEqualTo(encoderParams + projectorParams);

        env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            combined = env.createSession(combinedModel.toByteArray(), options);
            encoder = env.createSession(encoderModel.toByteArray(), options);
            projector = env.createSession(projectorModel.toByteArray(), options);
        }

        Map<String, NpyArray> golden = Npy.readNpz(upstream.resolve("preprocess/golden-dev.npz"));
        Map<String, NpyArray> ref = Npy.readNpz(Fixtures.tinyCheckpoint().resolve("reference_tensors.npz"));
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(upstream.resolve("preprocess/golden-dev.jsonl"))) {
            JsonNode rec = json.readTree(line);
            String image = rec.get("image").asText();
            if (!IMAGES.contains(image)) {
                continue;
            }
            List<Tile> list = new ArrayList<>();
            JsonNode shapes = rec.get("spatial_shapes");
            for (int k = 0; k < shapes.size(); k++) {
                NpyArray tile = golden.get(image + "/tile" + k);
                double[] levels = tile.asDoubles();
                float[] px = new float[levels.length];
                for (int i = 0; i < px.length; i++) {
                    px[i] = (float) (levels[i] / 127.5 - 1.0);
                }
                Tile t = new Tile(px, shapes.get(k).get(0).asInt(), shapes.get(k).get(1).asInt());
                assertThat(tile.shape()).containsExactly((long) t.count(), 768L);
                list.add(t);
            }
            tiles.put(image, list);
            reference.put(image, ref.get(image + "/image_features"));
        }
        assertThat(tiles.keySet()).containsExactlyElementsOf(IMAGES);
        assertThat(tiles.get("Storm.jpg")).hasSize(7);
    }

    @AfterAll
    void tearDown() throws OrtException {
        for (OrtSession s : new OrtSession[] {combined, encoder, projector}) {
            if (s != null) {
                s.close();
            }
        }
    }

    @Test
    void sessionsExposeTheContractNames() throws OrtException {
        assertThat(combined.getInputNames()).containsExactlyInAnyOrder("pixel_values", "pixel_attention_mask", "spatial_shapes");
        assertThat(combined.getOutputNames()).containsExactly("image_features");
        assertThat(encoder.getInputNames()).containsExactlyInAnyOrder("pixel_values", "pixel_attention_mask", "spatial_shapes");
        assertThat(encoder.getOutputNames()).containsExactly("last_hidden_state");
        assertThat(projector.getInputNames()).containsExactlyInAnyOrder("last_hidden_state", "spatial_shapes");
        assertThat(projector.getOutputNames()).containsExactly("image_features");
    }

    @Test
    void combinedGraphMatchesUpstreamImageFeatures() throws OrtException {
        for (String image : IMAGES) {
            float[][] out = runCombined(tiles.get(image));
            assertMatchesReference("combined", image, out);
        }
    }

    @Test
    void splitGraphsMatchUpstreamImageFeatures() throws OrtException {
        for (String image : IMAGES) {
            float[][] out = runSplit(tiles.get(image));
            assertMatchesReference("split", image, out);
        }
    }

    @Test
    void batchingImagesChangesNoImageFeatures() throws OrtException {
        // Tiles of different shapes in one call: Storm's 7 (32x32 and 26x38), text 10x28, coins 18x24.
        List<String> order = List.of("Storm.jpg", "text.png", "coins.png");
        List<Tile> all = new ArrayList<>();
        for (String image : order) {
            all.addAll(tiles.get(image));
        }
        float[][] batched = runCombined(all);
        int row = 0;
        double worst = 0;
        for (String image : order) {
            float[][] alone = runCombined(tiles.get(image));
            for (float[] expected : alone) {
                float[] actual = batched[row++];
                for (int c = 0; c < expected.length; c++) {
                    worst = Math.max(worst, Math.abs(actual[c] - expected[c]));
                }
            }
        }
        assertThat(row).isEqualTo(batched.length);
        System.out.printf("batching invariance: max |batched - separate| = %.3g over %d rows%n", worst, row);
        assertThat(worst).isLessThanOrEqualTo(1e-5);
    }

    private void assertMatchesReference(String layout, String image, float[][] out) {
        NpyArray ref = reference.get(image);
        double[] values = ref.asDoubles();
        int cols = (int) ref.shape()[1];
        assertThat(out.length).as(layout + " rows of " + image).isEqualTo((int) ref.shape()[0]);
        double maxAbs = 0;
        double maxExcess = Double.NEGATIVE_INFINITY;
        for (int r = 0; r < out.length; r++) {
            assertThat(out[r]).hasSize(cols);
            for (int c = 0; c < cols; c++) {
                double expected = values[r * cols + c];
                double diff = Math.abs(out[r][c] - expected);
                maxAbs = Math.max(maxAbs, diff);
                maxExcess = Math.max(maxExcess, diff - (ABS_TOL + REL_TOL * Math.abs(expected)));
            }
        }
        System.out.printf("%-8s %-22s %4d x %d  max abs diff %.3g%n", layout, image, out.length, cols, maxAbs);
        assertThat(maxExcess).as(layout + " " + image + " max abs diff " + maxAbs).isLessThanOrEqualTo(0.0);
    }

    private float[][] runCombined(List<Tile> batch) throws OrtException {
        try (Inputs in = Inputs.of(env, batch);
             OrtSession.Result result = combined.run(Map.of(
                     "pixel_values", in.pixels, "pixel_attention_mask", in.mask, "spatial_shapes", in.shapes))) {
            return (float[][]) result.get("image_features").orElseThrow().getValue();
        }
    }

    private float[][] runSplit(List<Tile> batch) throws OrtException {
        try (Inputs in = Inputs.of(env, batch);
             OrtSession.Result hidden = encoder.run(Map.of(
                     "pixel_values", in.pixels, "pixel_attention_mask", in.mask, "spatial_shapes", in.shapes));
             OrtSession.Result result = projector.run(Map.of(
                     "last_hidden_state", (OnnxTensor) hidden.get("last_hidden_state").orElseThrow(),
                     "spatial_shapes", in.shapes))) {
            return (float[][]) result.get("image_features").orElseThrow().getValue();
        }
    }

    /** The three encoder inputs for a batch of tiles, each padded with zeros to MAX_PATCHES. */
    private record Inputs(OnnxTensor pixels, OnnxTensor mask, OnnxTensor shapes) implements AutoCloseable {
        static Inputs of(OrtEnvironment env, List<Tile> batch) throws OrtException {
            int n = batch.size();
            int dim = 768;
            FloatBuffer px = FloatBuffer.allocate(n * MAX_PATCHES * dim);
            LongBuffer mask = LongBuffer.allocate(n * MAX_PATCHES);
            LongBuffer shapes = LongBuffer.allocate(n * 2);
            for (int b = 0; b < n; b++) {
                Tile t = batch.get(b);
                px.position(b * MAX_PATCHES * dim);
                px.put(t.patches());
                for (int p = 0; p < MAX_PATCHES; p++) {
                    mask.put(b * MAX_PATCHES + p, p < t.count() ? 1 : 0);
                }
                shapes.put(b * 2, t.rows());
                shapes.put(b * 2 + 1, t.cols());
            }
            px.rewind();
            OnnxTensor pixels = OnnxTensor.createTensor(env, px, new long[] {n, MAX_PATCHES, dim});
            OnnxTensor m = null;
            try {
                m = OnnxTensor.createTensor(env, mask, new long[] {n, MAX_PATCHES});
                return new Inputs(pixels, m, OnnxTensor.createTensor(env, shapes, new long[] {n, 2}));
            } catch (OrtException | RuntimeException e) {
                pixels.close();
                if (m != null) {
                    m.close();
                }
                throw e;
            }
        }

        @Override
        public void close() {
            pixels.close();
            mask.close();
            shapes.close();
        }
    }
}
