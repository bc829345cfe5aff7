package io.vlmstreams.convert;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import io.vlmstreams.inference.model.Lfm2VlConfig;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An LFM2 attention layer (upstream {@code Lfm2Attention}) on ONNX Runtime's fused operators, as Liquid AI's builder
 * writes it: q/k/v projections, per-head {@code SimplifiedLayerNormalization} of q and k, then
 * {@code com.microsoft.GroupQueryAttention} on [batch, seq, heads*head_dim] inputs with the BNSH caches
 * {@code past_key_values.i.*} -> {@code present.i.*}, then out_proj. RoPE (upstream default type, non-interleaved)
 * reads cos/sin caches [max_position_embeddings, head_dim/2] stored as initializers, either inside GQA
 * ({@code do_rotary=1}; positions from {@code seqlens_k}) or in {@code com.microsoft.RotaryEmbedding} nodes fed the
 * graph's computed positions.
 */
final class GroupQueryAttentionNodes {

    /** The per-row and per-batch lengths GQA takes: int32 [batch] and an int32 scalar. */
    record Lengths(String seqlensK, String totalSequenceLength) {
    }

    private final OnnxGraphBuilder g;
    private final Lfm2VlConfig.TextConfig t;
    private final Lengths lengths;
    private final Rotary rotary;
    private final String positionIds;
    private final String cosCache;
    private final String sinCache;

    /** {@code positionIds} int64 [batch, seq] is used by, and required for, {@link Rotary#EMBEDDING}. */
    GroupQueryAttentionNodes(OnnxGraphBuilder g, Lfm2VlConfig.TextConfig t, Lengths lengths, Rotary rotary,
                             String positionIds) {
        if ((rotary == Rotary.EMBEDDING) != (positionIds != null)) {
            throw new IllegalArgumentException("position ids are needed exactly for rotary " + Rotary.EMBEDDING.label());
        }
        this.g = g;
        this.t = t;
        this.lengths = lengths;
        this.rotary = rotary;
        this.positionIds = positionIds;
        float[][] tables = ropeTables(t);
        this.cosCache = g.initializer("cos_cache", tables[0], t.maxPositionEmbeddings(), t.headDim() / 2);
        this.sinCache = g.initializer("sin_cache", tables[1], t.maxPositionEmbeddings(), t.headDim() / 2);
    }

    /** Layer {@code i}'s attention on normed hidden states [batch, seq, hidden]; declares its present outputs. */
    String block(int i, String p, String x, Lfm2Layers layers) {
        g.scope("layers." + i + "/attn");
        int hidden = t.hiddenSize();
        int heads = t.numAttentionHeads();
        int kvHeads = t.numKeyValueHeads();
        int dim = t.headDim();

        String q = headNorm(layers.linear(x, p + "q_proj.weight", heads * dim, hidden, null), heads, p + "q_layernorm.weight", layers);
        String k = headNorm(layers.linear(x, p + "k_proj.weight", kvHeads * dim, hidden, null), kvHeads, p + "k_layernorm.weight", layers);
        String v = layers.linear(x, p + "v_proj.weight", kvHeads * dim, hidden, null);
        boolean inside = rotary == Rotary.GQA;
        if (!inside) {
            q = rotaryEmbedding(q, heads);
            k = rotaryEmbedding(k, kvHeads);
        }

        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("num_heads", (long) heads);
        attributes.put("kv_num_heads", (long) kvHeads);
        attributes.put("scale", (float) Math.pow(dim, -0.5));
        attributes.put("local_window_size", -1L);
        attributes.put("softcap", 0.0f);
        attributes.put("do_rotary", inside ? 1L : 0L);
        attributes.put("rotary_interleaved", 0L);
        List<String> out = g.msOp("GroupQueryAttention", List.of(q, k, v,
                "past_key_values." + i + ".key", "past_key_values." + i + ".value",
                lengths.seqlensK(), lengths.totalSequenceLength(),
                inside ? cosCache : "", inside ? sinCache : ""), 3, attributes);
        g.output(out.get(1), "present." + i + ".key", DataType.FLOAT, "batch_size", kvHeads, "total_sequence_length", dim);
        g.output(out.get(2), "present." + i + ".value", DataType.FLOAT, "batch_size", kvHeads, "total_sequence_length", dim);
        return layers.linear(out.get(0), p + "out_proj.weight", hidden, heads * dim, null);
    }

    /** [batch, seq, n*dim] -> RMS norm of each head's dim values -> [batch, seq, n*dim]. */
    private String headNorm(String projected, int n, String weightName, Lfm2Layers layers) {
        int dim = t.headDim();
        String perHead = g.reshape(projected, 0, 0, n, dim);
        String normed = g.simplifiedLayerNorm(perHead, layers.weight(weightName, dim), t.normEps());
        return g.reshape(normed, 0, 0, (long) n * dim);
    }

    private String rotaryEmbedding(String x, int heads) {
        return g.msOp("RotaryEmbedding", List.of(x, positionIds, cosCache, sinCache),
                Map.of("interleaved", 0L, "num_heads", (long) heads, "rotary_embedding_dim", 0L));
    }

    /**
     * cos and sin of position * inv_freq for every position below max_position_embeddings, [positions, head_dim/2]
     * each: inv_freq and the product in float32 as upstream computes them, the cos/sin of that float.
     */
    private static float[][] ropeTables(Lfm2VlConfig.TextConfig t) {
        int half = t.headDim() / 2;
        int positions = t.maxPositionEmbeddings();
        float[] invFreq = new float[half];
        for (int i = 0; i < half; i++) {
            float exponent = (float) (2 * i) / t.headDim();
            invFreq[i] = 1.0f / (float) Math.pow((float) t.ropeTheta(), exponent);
        }
        float[] cos = new float[positions * half];
        float[] sin = new float[positions * half];
        for (int pos = 0; pos < positions; pos++) {
            for (int i = 0; i < half; i++) {
                float angle = (float) pos * invFreq[i];
                cos[pos * half + i] = (float) Math.cos(angle);
                sin[pos * half + i] = (float) Math.sin(angle);
            }
        }
        return new float[][] {cos, sin};
    }
}
