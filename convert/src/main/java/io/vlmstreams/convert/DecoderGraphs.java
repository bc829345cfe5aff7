package io.vlmstreams.convert;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import io.vlmstreams.inference.model.Lfm2VlConfig;

import java.util.List;

/**
 * Builds the ONNX graphs of the LFM2 language tower of an LFM2-VL checkpoint: {@code embed_tokens.onnx} and
 * {@code decoder_model_merged.onnx}, with the session interface that transformers.js and the inference engine drive
 * (input and output names and symbolic dims are the contract, see docs/lfm2-vl-onnx.md). The math follows upstream
 * transformers' {@code modeling_lfm2.py}.
 *
 * <p>Cache semantics: {@code present.i.key/value} is {@code past} followed by the new keys/values;
 * {@code present_conv.i} holds the last {@code conv_L_cache} conv inputs (B*x) of past + new, i.e. what upstream's
 * conv state holds after the step (zero-padded on the left when fewer inputs have been seen). The first step feeds
 * zero conv states and empty key/value caches.
 *
 * <p>Left padding: keys where {@code attention_mask} is 0 are masked, and the conv layers' inputs at padded positions
 * are zeroed (upstream's {@code apply_mask_to_padding_states}), so a padded row computes what it computes alone.
 *
 * <p>{@code num_logits_to_keep} (int64 scalar, as in transformers' exports, HF semantics: 0 keeps every position,
 * k &gt; 0 the last k) cuts the final hidden states before the LM head, so a prompt pass computes and returns one
 * row of logits instead of {@code seq}: the head is about a fifth of a prefill's FLOPs at 450M, and its full output
 * hundreds of MB for a long tiled prompt. transformers.js and the engine feed it whenever the graph declares it.
 */
public final class DecoderGraphs {

    private static final String BATCH = "batch_size";
    private static final String SEQ = "sequence_length";
    private static final String PAST = "past_sequence_length";
    private static final String TOTAL = "total_sequence_length";
    /** The logits' position dim: {@code num_logits_to_keep} positions, or all {@code sequence_length} when 0. */
    private static final String KEPT = "num_logits";
    private static final String PRODUCER = "vlm-streams";
    /** Added to the scores of masked keys; finite (as in upstream) so that fully masked padding rows stay NaN-free. */
    private static final float MASKED = -Float.MAX_VALUE;

    private DecoderGraphs() {
    }

    /** {@code input_ids} int64 [batch_size, sequence_length] -> {@code inputs_embeds} float [.., hidden]. */
    public static OnnxMl.ModelProto embedTokens(Lfm2VlConfig cfg, SafetensorsReader weights) {
        Lfm2VlConfig.TextConfig t = cfg.text();
        Names names = Names.detect(weights);
        OnnxGraphBuilder g = new OnnxGraphBuilder("embed_tokens");
        String ids = g.input("input_ids", DataType.INT64, BATCH, SEQ);
        String table = embeddingTable(g, t, weights, names);
        g.output(g.gather(table, ids, 0), "inputs_embeds", DataType.FLOAT, BATCH, SEQ, t.hiddenSize());
        return g.build(PRODUCER);
    }

    /**
     * The language tower with caches: {@code inputs_embeds}, {@code attention_mask}, {@code position_ids},
     * {@code num_logits_to_keep}, {@code past_conv.i} (conv layers), {@code past_key_values.i.key/value} (attention
     * layers) -> {@code logits} [batch, kept positions, vocab], {@code present_conv.i}, {@code present.i.key/value}.
     */
    public static OnnxMl.ModelProto decoderMerged(Lfm2VlConfig cfg, SafetensorsReader weights) {
        Lfm2VlConfig.TextConfig t = cfg.text();
        Names names = Names.detect(weights);
        OnnxGraphBuilder g = new OnnxGraphBuilder("decoder_model_merged");
        int hidden = t.hiddenSize();

        String embeds = g.input("inputs_embeds", DataType.FLOAT, BATCH, SEQ, hidden);
        String mask = g.input("attention_mask", DataType.INT64, BATCH, TOTAL);
        String positions = g.input("position_ids", DataType.INT64, BATCH, SEQ);
        String keep = g.input("num_logits_to_keep", DataType.INT64);
        for (int i = 0; i < t.numHiddenLayers(); i++) {
            if (t.isAttention(i)) {
                g.input("past_key_values." + i + ".key", DataType.FLOAT, BATCH, t.numKeyValueHeads(), PAST, t.headDim());
                g.input("past_key_values." + i + ".value", DataType.FLOAT, BATCH, t.numKeyValueHeads(), PAST, t.headDim());
            } else {
                g.input("past_conv." + i, DataType.FLOAT, BATCH, hidden, t.convLCache());
            }
        }

        g.scope("masks");
        Masks masks = Masks.build(g, embeds, mask);
        g.scope("rope");
        Rope rope = Rope.build(g, positions, t);

        Lfm2Layers layers = new Lfm2Layers(g, t, weights, names);
        String h = embeds;
        for (int i = 0; i < t.numHiddenLayers(); i++) {
            h = layers.decoderLayer(i, h, masks, rope);
        }

        g.scope("head");
        String normed = g.rmsNorm(h, layers.weight(names.model() + "embedding_norm.weight", hidden), t.normEps());
        String kept = lastPositions(g, normed, keep);
        g.output(lmHead(g, kept, embeddingTable(g, t, weights, names), t), "logits", DataType.FLOAT,
                BATCH, KEPT, t.vocabSize());
        g.placeOutputFirst("logits");
        return g.build(PRODUCER);
    }

    /**
     * The last {@code keep} positions of {@code x} [batch, seq, hidden], all of them when {@code keep} is 0 (HF's
     * {@code logits_to_keep}); a {@code keep} above seq is clamped by Slice to all positions.
     */
    private static String lastPositions(OnnxGraphBuilder g, String x, String keep) {
        String k = g.unsqueeze(keep, 0);
        String start = g.where(g.equal(k, g.constInts(0)), g.constInts(0), g.neg(k));
        return g.slice(x, start, g.constInts(OnnxGraphBuilder.END), 1);
    }

    /**
     * Tied LM head: Gemm with transB against the [vocab, hidden] embedding table itself, so the table is stored once
     * and never materialised transposed.
     */
    static String lmHead(OnnxGraphBuilder g, String normed, String table, Lfm2VlConfig.TextConfig t) {
        String flat = g.reshape(normed, -1, t.hiddenSize());
        String logits2d = g.gemm(flat, table, false, true);
        String outShape = g.concat(0, g.shape(normed, 0, 2), g.constInts(t.vocabSize()));
        return g.reshapeTo(logits2d, outShape);
    }

    static String embeddingTable(OnnxGraphBuilder g, Lfm2VlConfig.TextConfig t, SafetensorsReader weights,
                                         Names names) {
        String name = names.model() + "embed_tokens.weight";
        SafetensorsReader.Tensor table = weights.read(name, t.vocabSize(), t.hiddenSize());
        return g.initializer(name, table.data(), t.vocabSize(), t.hiddenSize());
    }

    /** Where the language tower's tensors live in the checkpoint (the prefix differs across transformers versions). */
    record Names(String model) {
        private static final List<String> PREFIXES = List.of(
                "model.language_model.", "language_model.model.", "model.", "");

        static Names detect(SafetensorsReader weights) {
            for (String p : PREFIXES) {
                if (weights.contains(p + "embed_tokens.weight")) {
                    return new Names(p);
                }
            }
            throw new IllegalArgumentException("checkpoint has no LFM2 embed_tokens.weight under any of " + PREFIXES);
        }
    }

    /**
     * Per-step masks shared by all layers: the additive attention bias [batch, 1, 1, seq, total] (causal and padding)
     * and the float mask of the current positions [batch, seq, 1] that zeroes conv inputs at padding.
     */
    record Masks(String attentionBias, String currentPositions) {
        static Masks build(OnnxGraphBuilder g, String embeds, String attentionMask) {
            String seqLen = g.shape(embeds, 1, 2);
            String totalLen = g.shape(attentionMask, 1, 2);
            String pastLen = g.sub(totalLen, seqLen);

            // query i sits at absolute position past + i and may see keys 0 .. past + i
            String one = g.scalarInt(1);
            String queryPos = g.unsqueeze(g.range(g.squeeze(pastLen, 0), g.squeeze(totalLen, 0), one), 1);
            String keyPos = g.unsqueeze(g.range(g.scalarInt(0), g.squeeze(totalLen, 0), one), 0);
            String causal = g.lessOrEqual(keyPos, queryPos);
            String keyValid = g.unsqueeze(g.cast(attentionMask, DataType.BOOL), 1, 2);
            // [batch, 1, seq, total], then one more axis for the grouped-query layout [batch, kv, group, seq, total]
            String allowed = g.unsqueeze(g.and(causal, keyValid), 1);
            String bias = g.where(allowed, g.scalar(0f), g.scalar(MASKED));

            String current = g.slice(attentionMask, pastLen, totalLen, 1);
            String currentF = g.unsqueeze(g.cast(current, DataType.FLOAT), 2);
            return new Masks(bias, currentF);
        }
    }

    /** RoPE tables cos and sin [batch, 1, seq, head_dim] for the given position ids (upstream default rope type). */
    record Rope(String cos, String sin, int headDim) {
        static Rope build(OnnxGraphBuilder g, String positionIds, Lfm2VlConfig.TextConfig t) {
            int dim = t.headDim();
            float[] invFreq = new float[dim / 2];
            for (int i = 0; i < invFreq.length; i++) {
                // upstream computes base ** (2i/dim) in float32 and inverts it in float32
                float exponent = (float) (2 * i) / dim;
                invFreq[i] = 1.0f / (float) Math.pow((float) t.ropeTheta(), exponent);
            }
            String pos = g.unsqueeze(g.cast(positionIds, DataType.FLOAT), 2);
            String freqs = g.mul(pos, g.constFloats(invFreq, invFreq.length));
            String emb = g.unsqueeze(g.concat(-1, freqs, freqs), 1);
            return new Rope(g.cos(emb), g.sin(emb), dim);
        }

        /** x * cos + rotate_half(x) * sin, for x [batch, heads, seq, head_dim]. */
        String apply(OnnxGraphBuilder g, String x) {
            long half = headDim / 2;
            String x1 = g.slice(x, new long[] {0}, new long[] {half}, new long[] {-1});
            String x2 = g.slice(x, new long[] {half}, new long[] {OnnxGraphBuilder.END}, new long[] {-1});
            String rotated = g.concat(-1, g.neg(x2), x1);
            return g.add(g.mul(x, cos), g.mul(rotated, sin));
        }
    }
}
