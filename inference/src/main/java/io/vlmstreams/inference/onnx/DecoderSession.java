package io.vlmstreams.inference.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code decoder_model_merged.onnx}: embeddings, attention mask, optional position ids and
 * num_logits_to_keep, and caches in; logits and new caches out. Which inputs exist and the cache
 * shapes are read from the graph. Logits land in a direct buffer this session reuses across steps,
 * so a {@link Logits} view is valid until the next {@link #run}. Not thread-safe: one batch at a time.
 */
public final class DecoderSession implements AutoCloseable {

    public static final String INPUTS_EMBEDS = "inputs_embeds";
    public static final String ATTENTION_MASK = "attention_mask";
    public static final String POSITION_IDS = "position_ids";
    public static final String NUM_LOGITS_TO_KEEP = "num_logits_to_keep";
    public static final String LOGITS = "logits";

    private final OrtRuntime runtime;
    private final OrtSession session;
    private final Map<String, TensorSpec> inputs;
    private final Map<String, TensorSpec> cacheInputs = new LinkedHashMap<>();
    private final Map<String, String> presentForPast = new LinkedHashMap<>();
    private final OnnxJavaType embedsType;
    private final int hiddenSize;
    private final int vocabSize;
    private final boolean pinLogits;
    private ByteBuffer logitsBuffer;

    public DecoderSession(OrtRuntime runtime, Path file) {
        this.runtime = runtime;
        this.session = runtime.open(file);
        try {
            this.inputs = TensorSpec.all(session.getInputInfo());
            Map<String, TensorSpec> outputs = TensorSpec.all(session.getOutputInfo());
            for (String required : List.of(INPUTS_EMBEDS, ATTENTION_MASK)) {
                if (!inputs.containsKey(required)) {
                    throw new OnnxModelException(file + " declares no " + required + " input: " + inputs.keySet());
                }
            }
            if (!outputs.containsKey(LOGITS)) {
                throw new OnnxModelException(file + " declares no " + LOGITS + " output: " + outputs.keySet());
            }
            for (TensorSpec spec : inputs.values()) {
                String present = presentName(spec.name());
                if (present == null) {
                    continue;
                }
                if (!outputs.containsKey(present)) {
                    throw new OnnxModelException(file + ": cache input " + spec.name() + " has no output " + present);
                }
                cacheInputs.put(spec.name(), spec);
                presentForPast.put(spec.name(), present);
            }
            TensorSpec embeds = inputs.get(INPUTS_EMBEDS);
            this.embedsType = embeds.type();
            this.hiddenSize = (int) embeds.dim(embeds.rank() - 1);
            TensorSpec logits = outputs.get(LOGITS);
            this.vocabSize = (int) logits.dim(logits.rank() - 1);
            this.pinLogits = vocabSize > 0 && logits.type() == OnnxJavaType.FLOAT;
        } catch (OrtException | RuntimeException e) {
            close();
            throw e instanceof OnnxModelException ome ? ome
                    : new OnnxModelException("cannot read the interface of " + file + ": " + e.getMessage(), e);
        }
    }

    /** {@code past_key_values.3.key} -> {@code present.3.key}; {@code past_conv.0} -> {@code present_conv.0}; else null. */
    static String presentName(String input) {
        if (input.startsWith(DecoderCache.KV_PREFIX)) {
            return "present." + input.substring(DecoderCache.KV_PREFIX.length());
        }
        if (input.startsWith(DecoderCache.CONV_PREFIX)) {
            return "present_conv." + input.substring(DecoderCache.CONV_PREFIX.length());
        }
        return null;
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    /** Vocabulary size as declared by the logits output, or -1 when symbolic. */
    public int vocabSize() {
        return vocabSize;
    }

    public boolean declaresPositionIds() {
        return inputs.containsKey(POSITION_IDS);
    }

    public boolean declaresNumLogitsToKeep() {
        return inputs.containsKey(NUM_LOGITS_TO_KEEP);
    }

    /** Cache inputs as declared, e.g. to describe the model. */
    public Map<String, TensorSpec> cacheSpecs() {
        return java.util.Collections.unmodifiableMap(cacheInputs);
    }

    public OrtRuntime runtime() {
        return runtime;
    }

    /** First-step caches: zeros shaped from the graph, batch dim = {@code batch}, past length 0. */
    public DecoderCache emptyCache(int batch) {
        Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
        List<AutoCloseable> owned = new ArrayList<>();
        try {
            for (TensorSpec spec : cacheInputs.values()) {
                OnnxTensor t = Tensors.zeros(runtime.env(), spec.type(), spec.concreteShape(batch, 0));
                owned.add(t);
                tensors.put(spec.name(), t);
            }
        } catch (OrtException e) {
            owned.forEach(c -> ((OnnxTensor) c).close());
            throw new OnnxModelException("cannot create empty caches: " + e.getMessage(), e);
        }
        return new DecoderCache(tensors, owned, batch, 0);
    }

    /** Logits of the last {@code positions} positions of each row, [batch, positions, vocab]; valid until the next run. */
    public static final class Logits {
        private final FloatBuffer values;
        private final int batch;
        private final int positions;
        private final int vocab;

        Logits(FloatBuffer values, int batch, int positions, int vocab) {
            this.values = values;
            this.batch = batch;
            this.positions = positions;
            this.vocab = vocab;
        }

        public int batch() {
            return batch;
        }

        public int positions() {
            return positions;
        }

        public int vocab() {
            return vocab;
        }

        /** Copies the logits of row {@code b} at kept position {@code p} (0 = the earliest kept). */
        public float[] row(int b, int p) {
            float[] out = new float[vocab];
            values.duplicate().position((b * positions + p) * vocab).get(out);
            return out;
        }

        /** Logits of row {@code b} at its last position. */
        public float[] last(int b) {
            return row(b, positions - 1);
        }
    }

    /** A step's outputs: the logits (null when not asked for) and the caches to feed next. */
    public record Step(Logits logits, DecoderCache cache) { }

    /**
     * Runs one step over {@code seq} new positions of {@code batch} rows.
     *
     * @param embeds        [batch, seq, hidden] float32 values
     * @param attentionMask [batch, past + seq], 0 on left padding
     * @param positionIds   [batch, seq], used only when the graph declares position_ids
     * @param past          caches from the previous step (or {@link #emptyCache}); not closed here
     * @param keepLogits    logits wanted for the last this-many positions of each row; 0 for none
     */
    public Step run(float[] embeds, int batch, int seq, long[] attentionMask, long[] positionIds,
                    DecoderCache past, int keepLogits) {
        if (keepLogits > seq) {
            throw new IllegalArgumentException("keepLogits " + keepLogits + " > seq " + seq);
        }
        int total = past.pastLength() + seq;
        Map<String, OnnxTensor> feed = new HashMap<>();
        List<OnnxTensor> created = new ArrayList<>();
        OnnxTensor pinned = null;
        OrtSession.Result result = null;
        try {
            OnnxTensor e = Tensors.floats(runtime.env(), embeds, new long[]{batch, seq, hiddenSize}, embedsType);
            created.add(e);
            feed.put(INPUTS_EMBEDS, e);
            OnnxTensor m = Tensors.longs(runtime.env(), attentionMask, new long[]{batch, total});
            created.add(m);
            feed.put(ATTENTION_MASK, m);
            if (declaresPositionIds()) {
                OnnxTensor p = Tensors.longs(runtime.env(), positionIds, new long[]{batch, seq});
                created.add(p);
                feed.put(POSITION_IDS, p);
            }
            int logitPositions = seq;
            if (declaresNumLogitsToKeep()) {
                logitPositions = Math.max(1, keepLogits);
                TensorSpec spec = inputs.get(NUM_LOGITS_TO_KEEP);
                OnnxTensor k = Tensors.longs(runtime.env(), new long[]{logitPositions}, spec.rank() == 0 ? new long[0] : new long[]{1});
                created.add(k);
                feed.put(NUM_LOGITS_TO_KEEP, k);
            }
            past.tensors().forEach(feed::put);
            Set<String> wanted = new java.util.LinkedHashSet<>(presentForPast.values());
            Map<String, OnnxValue> pinnedOutputs = Map.of();
            if (keepLogits > 0 && pinLogits) {
                pinned = pinnedLogits(batch, logitPositions);
                pinnedOutputs = Map.of(LOGITS, pinned);
            } else if (keepLogits > 0) {
                wanted.add(LOGITS);
            }
            result = session.run(feed, wanted, pinnedOutputs);
            Map<String, OnnxTensor> next = new LinkedHashMap<>();
            for (Map.Entry<String, String> e2 : presentForPast.entrySet()) {
                next.put(e2.getKey(), (OnnxTensor) result.get(e2.getValue()).orElseThrow());
            }
            Logits logits = null;
            if (keepLogits > 0) {
                FloatBuffer values;
                if (pinned != null) {
                    values = pinnedView(batch * logitPositions * vocabSize);
                } else {
                    values = FloatBuffer.wrap(Tensors.readFloats((OnnxTensor) result.get(LOGITS).orElseThrow()));
                }
                int vocab = values.capacity() / (batch * logitPositions);
                logits = trimToLast(values, batch, logitPositions, vocab, keepLogits);
            }
            DecoderCache cache = new DecoderCache(next, List.of(result), batch, total);
            result = null;
            return new Step(logits, cache);
        } catch (OrtException e) {
            throw new OnnxModelException("decoder failed on batch " + batch + " x " + seq + " (past " + past.pastLength() + "): "
                    + e.getMessage(), e);
        } finally {
            created.forEach(OnnxTensor::close);
            if (pinned != null) {
                pinned.close();
            }
            if (result != null) {
                result.close();
            }
        }
    }

    private static Logits trimToLast(FloatBuffer values, int batch, int positions, int vocab, int keep) {
        if (positions == keep) {
            return new Logits(values, batch, positions, vocab);
        }
        float[] out = new float[batch * keep * vocab];
        for (int b = 0; b < batch; b++) {
            values.duplicate().position((b * positions + positions - keep) * vocab).get(out, b * keep * vocab, keep * vocab);
        }
        return new Logits(FloatBuffer.wrap(out), batch, keep, vocab);
    }

    /** A logits tensor over this session's reused direct buffer, grown when a step needs more. */
    private OnnxTensor pinnedLogits(int batch, int positions) throws OrtException {
        int floats = batch * positions * vocabSize;
        if (logitsBuffer == null || logitsBuffer.capacity() < floats * 4) {
            logitsBuffer = ByteBuffer.allocateDirect(floats * 4).order(ByteOrder.nativeOrder());
        }
        return OnnxTensor.createTensor(runtime.env(), pinnedView(floats), new long[]{batch, positions, vocabSize});
    }

    private FloatBuffer pinnedView(int floats) {
        ByteBuffer view = logitsBuffer.duplicate();
        view.clear().limit(floats * 4);
        return view.slice().order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new OnnxModelException("cannot close decoder", e);
        }
    }
}
