package io.vlmstreams.convert;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Drives a decoder graph that takes {@code inputs_embeds} and {@code attention_mask} (and no position ids) the way
 * transformers.js does: zero conv states and empty key/value caches first, then each {@code present*} output fed back
 * as the matching {@code past*} input. The caches can be read and replaced between steps, to merge rows.
 */
final class DecoderRun {

    private final OrtEnvironment env;
    private final OrtSession session;
    private final int batch;
    private final int hidden;
    private final Map<String, float[]> cacheData = new LinkedHashMap<>();
    private final Map<String, long[]> cacheShape = new LinkedHashMap<>();

    DecoderRun(OrtEnvironment env, OrtSession session, int batch) throws OrtException {
        this.env = env;
        this.session = session;
        this.batch = batch;
        this.hidden = (int) ((TensorInfo) session.getInputInfo().get("inputs_embeds").getInfo()).getShape()[2];
        for (Map.Entry<String, NodeInfo> e : session.getInputInfo().entrySet()) {
            if (!e.getKey().startsWith("past_")) {
                continue;
            }
            long[] shape = ((TensorInfo) e.getValue().getInfo()).getShape().clone();
            shape[0] = batch;
            for (int i = 1; i < shape.length; i++) {
                if (shape[i] < 0) {
                    shape[i] = 0;
                }
            }
            set(e.getKey(), new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)], shape);
        }
    }

    /** One step over embeds [batch, seq, hidden] with mask [batch, past + seq]; returns logits [batch, seq, vocab]. */
    float[] step(float[] embeds, int seq, long[] mask) throws OrtException {
        Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
        try {
            feeds.put("inputs_embeds", OnnxTensor.createTensor(env, FloatBuffer.wrap(embeds), new long[] {batch, seq, hidden}));
            feeds.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), new long[] {batch, mask.length / batch}));
            for (String name : cacheData.keySet()) {
                feeds.put(name, OnnxTensor.createTensor(env, FloatBuffer.wrap(cacheData.get(name)), cacheShape.get(name)));
            }
            try (OrtSession.Result out = session.run(feeds)) {
                for (Map.Entry<String, OnnxValue> e : out) {
                    String past = pastName(e.getKey());
                    if (past != null) {
                        OnnxTensor t = (OnnxTensor) e.getValue();
                        set(past, copy(t), t.getInfo().getShape());
                    }
                }
                return copy((OnnxTensor) out.get("logits").orElseThrow());
            }
        } finally {
            feeds.values().forEach(OnnxTensor::close);
        }
    }

    /** The names of the cache inputs, in the graph's order. */
    Iterable<String> cacheNames() {
        return cacheData.keySet();
    }

    float[] cache(String name) {
        return cacheData.get(name);
    }

    long[] cacheShape(String name) {
        return cacheShape.get(name).clone();
    }

    /** Replaces the cache fed as {@code name} at the next step. */
    void set(String name, float[] data, long[] shape) {
        cacheData.put(name, data);
        cacheShape.put(name, shape);
    }

    static float[] copy(OnnxTensor t) {
        FloatBuffer b = t.getFloatBuffer();
        float[] out = new float[b.remaining()];
        b.get(out);
        return out;
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
