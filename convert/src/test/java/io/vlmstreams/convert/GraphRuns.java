package io.vlmstreams.convert;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.vlmstreams.inference.onnx.Fp16;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives converted graphs in ONNX Runtime for tests whatever their float interface type (float32
 * or float16): embed_tokens, the vision encoder on preprocessed tiles, and decoder_model_merged step by
 * step with caches fed back the way transformers.js does it.
 */
final class GraphRuns {

    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    private GraphRuns() {
    }

    /** A float tensor of the type {@code session} declares for input {@code name}. */
    static OnnxTensor floatInput(OrtSession session, String name, float[] values, long[] shape) throws OrtException {
        TensorInfo info = (TensorInfo) session.getInputInfo().get(name).getInfo();
        if (info.type == OnnxJavaType.FLOAT16) {
            short[] half = new short[values.length];
            for (int i = 0; i < values.length; i++) {
                half[i] = Fp16.toFloat16(values[i]);
            }
            return OnnxTensor.createTensor(ENV, ShortBuffer.wrap(half), shape, OnnxJavaType.FLOAT16);
        }
        return OnnxTensor.createTensor(ENV, FloatBuffer.wrap(values), shape);
    }

    /** The values of a float32 or float16 tensor as float32. */
    static float[] floats(OnnxTensor t) {
        if (t.getInfo().type == OnnxJavaType.FLOAT16) {
            ShortBuffer b = t.getShortBuffer();
            float[] out = new float[b.remaining()];
            for (int i = 0; i < out.length; i++) {
                out[i] = Fp16.fromFloat16(b.get(i));
            }
            return out;
        }
        FloatBuffer b = t.getFloatBuffer();
        float[] out = new float[b.remaining()];
        b.get(out);
        return out;
    }

    /** inputs_embeds of {@code ids} (one row). */
    static float[] embed(OrtSession embedTokens, long[] ids) throws OrtException {
        try (OnnxTensor input = OnnxTensor.createTensor(ENV, LongBuffer.wrap(ids), new long[] {1, ids.length});
             OrtSession.Result out = embedTokens.run(Map.of("input_ids", input))) {
            return floats((OnnxTensor) out.get("inputs_embeds").orElseThrow());
        }
    }

    /** One preprocessed tile: its real patches' pixel values and its size in patches. */
    record Tile(float[] patches, int rows, int cols) {
        int count() {
            return rows * cols;
        }
    }

    /** image_features [rows, hidden] (flattened) of {@code tiles} in one vision encoder call, padded to {@code maxPatches}. */
    static float[] imageFeatures(OrtSession vision, List<Tile> tiles, int maxPatches) throws OrtException {
        int n = tiles.size();
        int dim = tiles.get(0).patches().length / tiles.get(0).count();
        float[] px = new float[n * maxPatches * dim];
        long[] mask = new long[n * maxPatches];
        long[] shapes = new long[n * 2];
        for (int b = 0; b < n; b++) {
            Tile t = tiles.get(b);
            System.arraycopy(t.patches(), 0, px, b * maxPatches * dim, t.patches().length);
            Arrays.fill(mask, b * maxPatches, b * maxPatches + t.count(), 1);
            shapes[b * 2] = t.rows();
            shapes[b * 2 + 1] = t.cols();
        }
        try (OnnxTensor pixels = floatInput(vision, "pixel_values", px, new long[] {n, maxPatches, dim});
             OnnxTensor m = OnnxTensor.createTensor(ENV, LongBuffer.wrap(mask), new long[] {n, maxPatches});
             OnnxTensor s = OnnxTensor.createTensor(ENV, LongBuffer.wrap(shapes), new long[] {n, 2});
             OrtSession.Result out = vision.run(Map.of("pixel_values", pixels, "pixel_attention_mask", m, "spatial_shapes", s))) {
            return floats((OnnxTensor) out.get("image_features").orElseThrow());
        }
    }

    /** decoder_model_merged at batch 1: zero caches first, then each step's presents as the next pasts. */
    static final class Decoder {
        private final OrtSession session;
        private final int hidden;
        private final Map<String, float[]> cacheData = new HashMap<>();
        private final Map<String, long[]> cacheShape = new HashMap<>();
        private int past;

        Decoder(OrtSession session, int hidden) throws OrtException {
            this.session = session;
            this.hidden = hidden;
            for (Map.Entry<String, NodeInfo> e : session.getInputInfo().entrySet()) {
                if (!e.getKey().startsWith("past_")) {
                    continue;
                }
                long[] shape = ((TensorInfo) e.getValue().getInfo()).getShape().clone();
                shape[0] = 1;
                for (int i = 1; i < shape.length; i++) {
                    if (shape[i] < 0) {
                        shape[i] = 0;
                    }
                }
                cacheShape.put(e.getKey(), shape);
                cacheData.put(e.getKey(), new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)]);
            }
        }

        /** Feeds {@code seq} more positions; returns the logits of the last one. */
        float[] step(float[] embeds, int seq) throws OrtException {
            Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
            try {
                int total = past + seq;
                long[] mask = new long[total];
                Arrays.fill(mask, 1);
                long[] positions = new long[seq];
                for (int i = 0; i < seq; i++) {
                    positions[i] = past + i;
                }
                feeds.put("inputs_embeds", floatInput(session, "inputs_embeds", embeds, new long[] {1, seq, hidden}));
                feeds.put("attention_mask", OnnxTensor.createTensor(ENV, LongBuffer.wrap(mask), new long[] {1, total}));
                if (session.getInputInfo().containsKey("position_ids")) {
                    feeds.put("position_ids", OnnxTensor.createTensor(ENV, LongBuffer.wrap(positions), new long[] {1, seq}));
                }
                if (session.getInputInfo().containsKey("num_logits_to_keep")) {
                    feeds.put("num_logits_to_keep", OnnxTensor.createTensor(ENV, LongBuffer.wrap(new long[] {1}), new long[0]));
                }
                for (String name : cacheData.keySet()) {
                    feeds.put(name, floatInput(session, name, cacheData.get(name), cacheShape.get(name)));
                }
                try (OrtSession.Result out = session.run(feeds)) {
                    for (Map.Entry<String, OnnxValue> e : out) {
                        String pastName = pastName(e.getKey());
                        if (pastName != null) {
                            OnnxTensor t = (OnnxTensor) e.getValue();
                            cacheData.put(pastName, floats(t));
                            cacheShape.put(pastName, t.getInfo().getShape());
                        }
                    }
                    past = total;
                    OnnxTensor logits = (OnnxTensor) out.get("logits").orElseThrow();
                    long[] shape = logits.getInfo().getShape();
                    int vocab = (int) shape[shape.length - 1];
                    float[] values = floats(logits);
                    return Arrays.copyOfRange(values, values.length - vocab, values.length);
                }
            } finally {
                feeds.values().forEach(OnnxTensor::close);
            }
        }

        private static String pastName(String present) {
            if (present.startsWith("present_conv.")) {
                return "past_conv." + present.substring("present_conv.".length());
            }
            if (present.startsWith("present.")) {
                return "past_key_values." + present.substring("present.".length());
            }
            return null;
        }
    }

    /** An attention mask of {@code n} ones. */
    static long[] ones(int n) {
        long[] out = new long[n];
        java.util.Arrays.fill(out, 1);
        return out;
    }

    /** The rows of a 2-D float array. */
    static float[][] rows(io.vlmstreams.inference.io.NpyArray array) {
        float[] values = array.asFloats();
        int n = (int) array.shape()[0];
        int width = values.length / n;
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) {
            out[i] = java.util.Arrays.copyOfRange(values, i * width, (i + 1) * width);
        }
        return out;
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Largest absolute difference, and that relative to the reference's largest magnitude. */
    record Diff(double maxAbs, double maxRel) {
        static Diff of(float[] actual, float[] expected) {
            if (actual.length != expected.length) {
                throw new AssertionError(actual.length + " values, expected " + expected.length);
            }
            double maxAbs = 0;
            double scale = 0;
            for (int i = 0; i < actual.length; i++) {
                maxAbs = Math.max(maxAbs, Math.abs(actual[i] - expected[i]));
                scale = Math.max(scale, Math.abs(expected[i]));
            }
            return new Diff(maxAbs, maxAbs / Math.max(scale, 1e-30));
        }

        Diff max(Diff other) {
            return new Diff(Math.max(maxAbs, other.maxAbs), Math.max(maxRel, other.maxRel));
        }
    }
}
