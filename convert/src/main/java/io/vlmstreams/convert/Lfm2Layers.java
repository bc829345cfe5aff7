package io.vlmstreams.convert;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import io.vlmstreams.inference.model.Lfm2VlConfig;

import java.util.List;

/**
 * The blocks of one LFM2 decoder layer as ONNX subgraphs (upstream {@code Lfm2DecoderLayer}): pre-norm operator
 * (gated short convolution or grouped-query attention) and pre-norm SwiGLU feed-forward, each with a residual. Reads
 * each weight from the checkpoint as the block is built.
 */
final class Lfm2Layers {

    private final OnnxGraphBuilder g;
    private final Lfm2VlConfig.TextConfig t;
    private final SafetensorsReader weights;
    private final DecoderGraphs.Names names;

    Lfm2Layers(OnnxGraphBuilder g, Lfm2VlConfig.TextConfig t, SafetensorsReader weights, DecoderGraphs.Names names) {
        this.g = g;
        this.t = t;
        this.weights = weights;
        this.names = names;
    }

    /** One decoder layer on hidden states [batch, seq, hidden]; declares and fills this layer's present outputs. */
    String decoderLayer(int i, String h, DecoderGraphs.Masks masks, DecoderGraphs.Rope rope) {
        String p = names.model() + "layers." + i + ".";
        int hidden = t.hiddenSize();
        g.scope("layers." + i);
        String x = g.rmsNorm(h, weight(p + "operator_norm.weight", hidden), t.normEps());
        String mixed = t.isAttention(i)
                ? attentionBlock(i, p + "self_attn.", x, masks, rope)
                : convBlock(i, p + "conv.", x, masks.currentPositions());
        h = g.add(h, mixed);
        g.scope("layers." + i + "/ffn");
        return g.add(h, mlp(p + "feed_forward.", g.rmsNorm(h, weight(p + "ffn_norm.weight", hidden), t.normEps())));
    }

    /**
     * Gated short convolution (upstream {@code Lfm2ShortConv}): in_proj to B, C, x; B*x through a causal depthwise conv
     * of length L whose left context is the cached last L inputs; times C; out_proj. {@code currentPositions}
     * [batch, seq, 1] (1 real, 0 padding) zeroes the inputs at padding first; null leaves them as they are.
     */
    String convBlock(int i, String p, String x, String currentPositions) {
        g.scope("layers." + i + "/conv");
        int hidden = t.hiddenSize();
        int l = t.convLCache();
        String bias = t.convBias() ? p + "in_proj.bias" : null;
        // zero the inputs at padding so padded positions feed zeros into the conv state, as upstream does
        String masked = currentPositions == null ? x : g.mul(x, currentPositions);
        String bcx = linear(masked, p + "in_proj.weight", 3 * hidden, hidden, bias);
        List<String> parts = g.split(bcx, 2, hidden, hidden, hidden);
        String bx = g.transpose(g.mul(parts.get(0), parts.get(2)), 0, 2, 1);

        String past = "past_conv." + i;
        String all = g.concat(2, past, bx);
        String present = g.slice(all, new long[] {-l}, new long[] {OnnxGraphBuilder.END}, new long[] {2});
        // output t sees inputs t-L+1 .. t: drop the oldest cached input so that a valid conv yields one per new token
        String window = g.slice(all, new long[] {1}, new long[] {OnnxGraphBuilder.END}, new long[] {2});
        String kernel = g.initializer(p + "conv.weight", weights.read(p + "conv.weight", hidden, 1, l).data(), hidden, 1, l);
        String convBias = t.convBias() ? weight(p + "conv.bias", hidden) : null;
        String conv = g.transpose(g.conv(window, kernel, convBias, hidden), 0, 2, 1);

        g.output(present, "present_conv." + i, DataType.FLOAT,
                "batch_size", hidden, l);
        String gated = g.mul(parts.get(1), conv);
        return linear(gated, p + "out_proj.weight", hidden, hidden, t.convBias() ? p + "out_proj.bias" : null);
    }

    /**
     * Grouped-query attention (upstream {@code Lfm2Attention}): q/k/v projections, per-head RMSNorm on q and k, RoPE,
     * cache append, softmax(q k^T * scale + bias) v, out_proj. Query heads are viewed as [kv_heads, group] so that
     * keys and values broadcast over the group instead of being repeated.
     */
    String attentionBlock(int i, String p, String x, DecoderGraphs.Masks masks, DecoderGraphs.Rope rope) {
        g.scope("layers." + i + "/attn");
        int hidden = t.hiddenSize();
        int heads = t.numAttentionHeads();
        int kvHeads = t.numKeyValueHeads();
        int dim = t.headDim();
        int group = heads / kvHeads;

        String q = heads(linear(x, p + "q_proj.weight", heads * dim, hidden, null), heads, p + "q_layernorm.weight");
        String k = heads(linear(x, p + "k_proj.weight", kvHeads * dim, hidden, null), kvHeads, p + "k_layernorm.weight");
        String v = g.transpose(g.reshape(linear(x, p + "v_proj.weight", kvHeads * dim, hidden, null), 0, 0, kvHeads, dim),
                0, 2, 1, 3);
        q = rope.apply(g, q);
        k = rope.apply(g, k);

        String keys = g.concat(2, "past_key_values." + i + ".key", k);
        String values = g.concat(2, "past_key_values." + i + ".value", v);
        g.output(keys, "present." + i + ".key", DataType.FLOAT,
                "batch_size", kvHeads, "total_sequence_length", dim);
        g.output(values, "present." + i + ".value", DataType.FLOAT,
                "batch_size", kvHeads, "total_sequence_length", dim);

        String q5 = g.reshape(q, 0, kvHeads, group, -1, dim);
        String kT = g.transpose(g.unsqueeze(keys, 2), 0, 1, 2, 4, 3);
        String scores = g.mul(g.matmul(q5, kT), g.scalar((float) Math.pow(dim, -0.5)));
        String probs = g.softmax(g.add(scores, masks.attentionBias()), -1);
        String context = g.matmul(probs, g.unsqueeze(values, 2));
        String merged = g.reshape(g.transpose(g.reshape(context, 0, heads, -1, dim), 0, 2, 1, 3), 0, 0, heads * dim);
        return linear(merged, p + "out_proj.weight", hidden, heads * dim, null);
    }

    /** SwiGLU feed-forward (upstream {@code Lfm2MLP}): w2(silu(w1 x) * w3 x). */
    String mlp(String p, String x) {
        int hidden = t.hiddenSize();
        int ff = t.ffnDim();
        String gate = g.silu(linear(x, p + "w1.weight", ff, hidden, null));
        String up = linear(x, p + "w3.weight", ff, hidden, null);
        return linear(g.mul(gate, up), p + "w2.weight", hidden, ff, null);
    }

    /** [batch, seq, n*dim] -> per-head RMSNorm -> [batch, n, seq, dim]. */
    private String heads(String projected, int n, String normWeight) {
        int dim = t.headDim();
        String split = g.reshape(projected, 0, 0, n, dim);
        String normed = g.rmsNorm(split, weight(normWeight, dim), t.normEps());
        return g.transpose(normed, 0, 2, 1, 3);
    }

    /**
     * nn.Linear: x W^T (+ b). The [out, in] checkpoint matrix is stored transposed as [in, out] so that one MatMul
     * serves inputs of any rank.
     */
    String linear(String x, String weightName, int out, int in, String biasName) {
        float[] w = weights.read(weightName, out, in).data();
        float[] wt = new float[w.length];
        for (int r = 0; r < out; r++) {
            for (int c = 0; c < in; c++) {
                wt[c * out + r] = w[r * in + c];
            }
        }
        String y = g.matmul(x, g.initializer(weightName + ".T", wt, in, out));
        return biasName == null ? y : g.add(y, weight(biasName, out));
    }

    /** A 1-D weight (norm scale, bias) as an initializer under its checkpoint name. */
    String weight(String name, int size) {
        return g.initializer(name, weights.read(name, size).data(), size);
    }
}
