package io.vlmstreams.convert;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlmstreams.devstack.Fixtures;
import io.vlmstreams.inference.io.Npy;
import io.vlmstreams.inference.io.NpyArray;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Upstream's preprocessed tiles of the reference images ({@code fixtures/upstream/preprocess/golden-dev.*}) and the
 * vision encoder calls made of them: what the liquid-layout tests feed the graphs instead of running the engine's
 * preprocessing.
 */
final class GoldenTiles {

    static final int MAX_PATCHES = 1024;
    static final int PATCH_DIM = 768;

    /** One preprocessed tile: its real patches' pixel values and its (rows, cols) in patches. */
    record Tile(float[] patches, int rows, int cols) {
        int count() {
            return rows * cols;
        }

        /** Rows of image_features this tile yields with downsample factor {@code f}. */
        int featureRows(int f) {
            return (rows / f) * (cols / f);
        }

        boolean sameShape(Tile other) {
            return rows == other.rows && cols == other.cols;
        }
    }

    private GoldenTiles() {
    }

    /** The tiles of each named image, in upstream's order (tiles row by row, then the thumbnail). */
    static Map<String, List<Tile>> load(List<String> images) throws IOException {
        Path upstream = Fixtures.upstream();
        Map<String, NpyArray> golden = Npy.readNpz(upstream.resolve("preprocess/golden-dev.npz"));
        Map<String, List<Tile>> out = new LinkedHashMap<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(upstream.resolve("preprocess/golden-dev.jsonl"))) {
            JsonNode rec = json.readTree(line);
            String image = rec.get("image").asText();
            if (!images.contains(image)) {
                continue;
            }
            List<Tile> list = new ArrayList<>();
            JsonNode shapes = rec.get("spatial_shapes");
            for (int k = 0; k < shapes.size(); k++) {
                double[] levels = golden.get(image + "/tile" + k).asDoubles();
                float[] px = new float[levels.length];
                for (int i = 0; i < px.length; i++) {
                    px[i] = (float) (levels[i] / 127.5 - 1.0);
                }
                list.add(new Tile(px, shapes.get(k).get(0).asInt(), shapes.get(k).get(1).asInt()));
            }
            out.put(image, list);
        }
        for (String image : images) {
            if (!out.containsKey(image)) {
                throw new IllegalArgumentException("no golden tiles for " + image);
            }
        }
        return out;
    }

    /** One encoder call over {@code batch}: its image_features rows, one per image token, tiles in order. */
    static float[][] encode(OrtEnvironment env, OrtSession encoder, List<Tile> batch) throws OrtException {
        int n = batch.size();
        FloatBuffer px = FloatBuffer.allocate(n * MAX_PATCHES * PATCH_DIM);
        LongBuffer mask = LongBuffer.allocate(n * MAX_PATCHES);
        LongBuffer shapes = LongBuffer.allocate(n * 2);
        for (int b = 0; b < n; b++) {
            Tile t = batch.get(b);
            px.position(b * MAX_PATCHES * PATCH_DIM);
            px.put(t.patches());
            for (int p = 0; p < MAX_PATCHES; p++) {
                mask.put(b * MAX_PATCHES + p, p < t.count() ? 1 : 0);
            }
            shapes.put(b * 2, t.rows());
            shapes.put(b * 2 + 1, t.cols());
        }
        px.rewind();
        try (OnnxTensor pixels = OnnxTensor.createTensor(env, px, new long[] {n, MAX_PATCHES, PATCH_DIM});
             OnnxTensor m = OnnxTensor.createTensor(env, mask, new long[] {n, MAX_PATCHES});
             OnnxTensor s = OnnxTensor.createTensor(env, shapes, new long[] {n, 2});
             OrtSession.Result result = encoder.run(Map.of(
                     VisionGraphs.PIXEL_VALUES, pixels, VisionGraphs.PIXEL_ATTENTION_MASK, m, VisionGraphs.SPATIAL_SHAPES, s))) {
            return (float[][]) result.get(VisionGraphs.IMAGE_FEATURES).orElseThrow().getValue();
        }
    }

    /**
     * An image's features from one encoder call per distinct tile shape (what a graph that sizes position embeddings
     * per call needs), put back in tile order.
     */
    static float[][] encodeByShape(OrtEnvironment env, OrtSession encoder, List<Tile> tiles, int f) throws OrtException {
        float[][][] perTile = new float[tiles.size()][][];
        boolean[] done = new boolean[tiles.size()];
        for (int i = 0; i < tiles.size(); i++) {
            if (done[i]) {
                continue;
            }
            List<Integer> group = new ArrayList<>();
            for (int j = i; j < tiles.size(); j++) {
                if (!done[j] && tiles.get(j).sameShape(tiles.get(i))) {
                    group.add(j);
                    done[j] = true;
                }
            }
            float[][] rows = encode(env, encoder, group.stream().map(tiles::get).toList());
            int next = 0;
            for (int j : group) {
                int count = tiles.get(j).featureRows(f);
                perTile[j] = java.util.Arrays.copyOfRange(rows, next, next + count);
                next += count;
            }
        }
        List<float[]> all = new ArrayList<>();
        for (float[][] rows : perTile) {
            all.addAll(List.of(rows));
        }
        return all.toArray(new float[0][]);
    }
}
