package io.vlmstreams.inference.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
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
 *
 * <p>The logits one run produces are bounded by {@link #MAX_LOGITS_BYTES}: a graph without
 * num_logits_to_keep returns logits for every position of a prompt (2,333 tokens x 65,536 ids x
 * 4 bytes is 611 MB for one row), so a prefill of many long rows would otherwise need a buffer past
 * what Java can index. {@link #maxRowsPerRun} tells a caller how many rows fit in one run.
 */
public final class DecoderSession implements AutoCloseable {

    public static final String INPUTS_EMBEDS = "inputs_embeds";
    public static final String ATTENTION_MASK = "attention_mask";
    public static final String POSITION_IDS = "position_ids";
    public static final String NUM_LOGITS_TO_KEEP = "num_logits_to_keep";
    public static final String LOGITS = "logits";

    /**
     * The most logits, in bytes, one {@link #run} may produce: 1 GiB, i.e. 4,096 positions of a
     * 65,536-id float32 vocabulary. Half of what a Java buffer can index, and what this session
     * keeps in its reused output buffer at most. A run over more fails with a message saying so
     * before anything runs.
     */
    public static final long MAX_LOGITS_BYTES = 1L << 30;

    private final OrtRuntime runtime;
    private final OwnedSession owned;
    private final OrtSession session;
    private final Map<String, TensorSpec> inputs;
    private final Map<String, TensorSpec> cacheInputs = new LinkedHashMap<>();
    private final Map<String, String> presentForPast = new LinkedHashMap<>();
    private final OnnxJavaType embedsType;
    private final OnnxJavaType logitsType;
    private final int hiddenSize;
    /** As declared; a symbolic vocabulary is learned from the first run's output. */
    private int vocabSize;
    private ByteBuffer logitsBuffer;

    public DecoderSession(OrtRuntime runtime, Path file) {
        this.runtime = runtime;
        this.owned = runtime.open(file);
        this.session = owned.session();
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
            if (logits.type() != OnnxJavaType.FLOAT && logits.type() != OnnxJavaType.FLOAT16) {
                throw new OnnxModelException(file + ": logits are " + logits.type() + ", not float32 or float16");
            }
            this.logitsType = logits.type();
            this.vocabSize = (int) logits.dim(logits.rank() - 1);
        } catch (OrtException | RuntimeException e) {
            owned.close();
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

    /** Vocabulary size of the logits output: as declared, or learned from the first run; -1 while unknown. */
    public int vocabSize() {
        return vocabSize;
    }

    /** Positions a run over {@code seq} new positions returns logits for, when {@code keep} are wanted. */
    int logitPositions(int seq, int keep) {
        return declaresNumLogitsToKeep() ? Math.max(1, keep) : seq;
    }

    /**
     * Bytes of the logits a run of {@code rows} x {@code seq} positions produces when the last
     * {@code keep} are wanted (the graph makes all {@code seq} when it has no num_logits_to_keep),
     * or -1 while the vocabulary is unknown.
     */
    public long logitsBytes(int rows, int seq, int keep) {
        if (vocabSize <= 0) {
            return -1;
        }
        return Math.multiplyExact(Math.multiplyExact((long) rows, (long) logitPositions(seq, keep)),
                (long) vocabSize * logitsType.size);
    }

    /**
     * How many rows of {@code seq} positions one run may carry within {@link #MAX_LOGITS_BYTES};
     * 0 when not even one row fits, {@link Integer#MAX_VALUE} while the vocabulary is unknown.
     */
    public int maxRowsPerRun(int seq, int keep) {
        long perRow = logitsBytes(1, seq, keep);
        if (perRow <= 0) {
            return Integer.MAX_VALUE;
        }
        return (int) Math.min(Integer.MAX_VALUE, MAX_LOGITS_BYTES / perRow);
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
        boolean done = false;
        try {
            for (TensorSpec spec : cacheInputs.values()) {
                OnnxTensor t = Tensors.zeros(runtime.env(), spec.type(), spec.concreteShape(batch, 0));
                owned.add(t);
                tensors.put(spec.name(), t);
            }
            DecoderCache cache = new DecoderCache(tensors, owned, batch, 0);
            done = true;
            return cache;
        } catch (OrtException e) {
            throw new OnnxModelException("cannot create empty caches: " + e.getMessage(), e);
        } finally {
            if (!done) {
                owned.forEach(c -> ((OnnxTensor) c).close());
            }
        }
    }

    /** Logits of the last {@code positions} positions of each row, [batch, positions, vocab]; valid until the next run. */
    public static final class Logits {
        private final FloatBuffer values;
        private final int batch;
        private final int positions;
        private final int vocab;

        Logits(FloatBuffer values, int batch, int positions, int vocab) {
            if ((long) batch * positions * vocab != values.remaining()) {
                throw new IllegalArgumentException(values.remaining() + " logits for " + batch + " x " + positions + " x " + vocab);
            }
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
            if (b < 0 || b >= batch || p < 0 || p >= positions) {
                throw new IndexOutOfBoundsException("row " + b + " position " + p + " of " + batch + " x " + positions);
            }
            float[] out = new float[vocab];
            values.duplicate().position(Math.toIntExact(((long) b * positions + p) * vocab)).get(out);
            return out;
        }

        /** Logits of row {@code b} at its last position. */
        public float[] last(int b) {
            return row(b, positions - 1);
        }

        /** These logits on the heap, still valid after the next run. */
        public Logits copy() {
            float[] out = new float[values.remaining()];
            values.duplicate().get(out);
            return new Logits(FloatBuffer.wrap(out), batch, positions, vocab);
        }

        /** The rows of {@code parts} one after another (same positions and vocabulary), copied to the heap. */
        public static Logits stack(List<Logits> parts) {
            int rows = 0;
            for (Logits l : parts) {
                if (l.positions != parts.get(0).positions || l.vocab != parts.get(0).vocab) {
                    throw new IllegalArgumentException("cannot stack logits of different shapes");
                }
                rows += l.batch;
            }
            Logits first = parts.get(0);
            float[] out = new float[Math.toIntExact((long) rows * first.positions * first.vocab)];
            int at = 0;
            for (Logits l : parts) {
                int n = l.values.remaining();
                l.values.duplicate().get(out, at, n);
                at += n;
            }
            return new Logits(FloatBuffer.wrap(out), rows, first.positions, first.vocab);
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
     * @throws IllegalArgumentException when the run's logits would pass {@link #MAX_LOGITS_BYTES}
     */
    public Step run(float[] embeds, int batch, int seq, long[] attentionMask, long[] positionIds,
                    DecoderCache past, int keepLogits) {
        if (keepLogits < 0 || keepLogits > seq) {
            throw new IllegalArgumentException("keepLogits " + keepLogits + " not in 0.." + seq);
        }
        int logitPositions = logitPositions(seq, keepLogits);
        checkLogitsBound(batch, seq, logitPositions);
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
            if (declaresNumLogitsToKeep()) {
                TensorSpec spec = inputs.get(NUM_LOGITS_TO_KEEP);
                OnnxTensor k = Tensors.longs(runtime.env(), new long[]{logitPositions}, spec.rank() == 0 ? new long[0] : new long[]{1});
                created.add(k);
                feed.put(NUM_LOGITS_TO_KEEP, k);
            }
            past.tensors().forEach(feed::put);
            Set<String> wanted = new java.util.LinkedHashSet<>(presentForPast.values());
            Map<String, OnnxValue> pinnedOutputs = Map.of();
            if (keepLogits > 0 && vocabSize > 0) {
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
            if (keepLogits > 0 && pinned != null) {
                logits = lastPositions(logitsBuffer.duplicate().clear(), batch, logitPositions, vocabSize, keepLogits);
            } else if (keepLogits > 0) {
                logits = learnedLogits((OnnxTensor) result.get(LOGITS).orElseThrow(), batch, logitPositions, keepLogits);
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

    private void checkLogitsBound(int batch, int seq, int positions) {
        long bytes = logitsBytes(batch, seq, positions);
        if (bytes > MAX_LOGITS_BYTES) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                    "the logits of %d row(s) x %d position(s) x %d ids take %,d MiB, over the %,d MiB one decoder run may"
                            + " produce (DecoderSession.MAX_LOGITS_BYTES)%s",
                    batch, positions, vocabSize, bytes >> 20, MAX_LOGITS_BYTES >> 20,
                    declaresNumLogitsToKeep() ? "" : "; this decoder has no num_logits_to_keep input, so it returns logits"
                            + " for every prompt position: send fewer or shorter prompts at once"));
        }
    }

    /**
     * The last {@code keep} of {@code positions} logits per row, from [batch, positions, vocab]
     * values of this session's logits type in {@code bytes}: a view when every position is kept
     * and the values are float32, else only the kept positions copied (and widened from float16).
     */
    private Logits lastPositions(ByteBuffer bytes, int batch, int positions, int vocab, int keep) {
        int keptPerRow = keep * vocab;
        if (logitsType == OnnxJavaType.FLOAT) {
            FloatBuffer all = bytes.order(ByteOrder.nativeOrder()).asFloatBuffer();
            all.limit(Math.toIntExact((long) batch * positions * vocab));
            if (positions == keep) {
                return new Logits(all.slice(), batch, positions, vocab);
            }
            float[] out = new float[batch * keptPerRow];
            for (int b = 0; b < batch; b++) {
                all.duplicate().position(Math.toIntExact(((long) b * positions + positions - keep) * vocab))
                        .get(out, b * keptPerRow, keptPerRow);
            }
            return new Logits(FloatBuffer.wrap(out), batch, keep, vocab);
        }
        ShortBuffer all = bytes.order(ByteOrder.nativeOrder()).asShortBuffer();
        float[] out = new float[batch * keptPerRow];
        for (int b = 0; b < batch; b++) {
            int from = Math.toIntExact(((long) b * positions + positions - keep) * vocab);
            for (int i = 0; i < keptPerRow; i++) {
                out[b * keptPerRow + i] = Fp16.fromFloat16(all.get(from + i));
            }
        }
        return new Logits(FloatBuffer.wrap(out), batch, keep, vocab);
    }

    /**
     * Logits of a graph whose vocabulary is symbolic: ONNX Runtime allocated them, and its Java API
     * only hands out a copy of the whole output. The vocabulary read here lets every later run
     * write into the pinned buffer (and be bounded before it runs).
     */
    private Logits learnedLogits(OnnxTensor output, int batch, int positions, int keep) {
        long[] shape = output.getInfo().getShape();
        int vocab = Math.toIntExact(shape[shape.length - 1]);
        vocabSize = vocab;
        checkLogitsBound(batch, positions, positions);
        ByteBuffer bytes = output.getByteBuffer();
        return lastPositions(bytes, batch, positions, vocab, keep);
    }

    /** A logits tensor over this session's reused direct buffer, grown when a step needs more. */
    private OnnxTensor pinnedLogits(int batch, int positions) throws OrtException {
        long values = (long) batch * positions * vocabSize;
        int bytes = Tensors.bufferBytes(values, logitsType.size);
        if (logitsBuffer == null || logitsBuffer.capacity() < bytes) {
            logitsBuffer = Tensors.direct(values, logitsType.size);
        }
        ByteBuffer view = logitsBuffer.duplicate().clear().limit(bytes).slice().order(ByteOrder.nativeOrder());
        return OnnxTensor.createTensor(runtime.env(), view, new long[]{batch, positions, vocabSize}, logitsType);
    }

    @Override
    public void close() {
        owned.close();
    }
}
