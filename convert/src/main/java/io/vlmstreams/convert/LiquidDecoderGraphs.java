package io.vlmstreams.convert;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import io.vlmstreams.inference.model.Lfm2VlConfig;

import java.util.List;
import java.util.Map;

/**
 * The LFM2 decoder as Liquid AI's builder writes it (LiquidAI/LFM2.5-VL-*-ONNX; the 450M folder's I/O contract in
 * docs/lfm2-vl-onnx.md): {@code inputs_embeds} [batch_size, sequence_length, hidden], {@code attention_mask} int64
 * [batch_size, total_sequence_length], {@code past_conv.i} (conv layers), {@code past_key_values.i.key/value}
 * [batch_size, kv_heads, past_sequence_length, head_dim] (attention layers) -> {@code logits} [batch_size,
 * sequence_length, vocab] for every position, {@code present_conv.i}, {@code present.i.key/value}. No
 * {@code position_ids} and no {@code num_logits_to_keep}. Same math as {@link DecoderGraphs}, fused:
 * <ul>
 *   <li>attention is {@code com.microsoft.GroupQueryAttention} (see {@link GroupQueryAttentionNodes}) with
 *   {@code seqlens_k = ReduceSum(attention_mask) - 1} and {@code total_sequence_length = attention_mask.shape[1]},
 *   both int32; RoPE inside it or as {@code com.microsoft.RotaryEmbedding} per {@link Rotary};</li>
 *   <li>the first norm is {@code SimplifiedLayerNormalization}; every later norm is
 *   {@code com.microsoft.SkipSimplifiedLayerNormalization} fused with the residual add before it, the final norm
 *   included.</li>
 * </ul>
 *
 * <p>What the mask can and cannot do here (the builder's own caveat): it only yields each row's length. GQA reads the
 * first {@code seqlens_k + 1} keys of a row as its real ones and the conv layers take padded positions as input, so
 * only an unpadded batch is exact in general; which padding, if any, a batch may use is for the engine to establish
 * for this graph. The conv inputs are not zeroed at padding (upstream's {@code apply_mask_to_padding_states}), as in
 * the published graphs.
 */
public final class LiquidDecoderGraphs {

    private static final String BATCH = "batch_size";
    private static final String SEQ = "sequence_length";
    private static final String PAST = "past_sequence_length";
    private static final String TOTAL = "total_sequence_length";
    private static final String PRODUCER = "vlm-streams";

    private LiquidDecoderGraphs() {
    }

    /** The decoder with RoPE placed per {@code rotary}. */
    public static OnnxMl.ModelProto decoder(Lfm2VlConfig cfg, SafetensorsReader weights, Rotary rotary) {
        Lfm2VlConfig.TextConfig t = cfg.text();
        DecoderGraphs.Names names = DecoderGraphs.Names.detect(weights);
        OnnxGraphBuilder g = new OnnxGraphBuilder("decoder");
        int hidden = t.hiddenSize();

        String embeds = g.input("inputs_embeds", DataType.FLOAT, BATCH, SEQ, hidden);
        String mask = g.input("attention_mask", DataType.INT64, BATCH, TOTAL);
        // the published graphs list the conv states first, then the key/value caches
        for (int i = 0; i < t.numHiddenLayers(); i++) {
            if (!t.isAttention(i)) {
                g.input("past_conv." + i, DataType.FLOAT, BATCH, hidden, t.convLCache());
            }
        }
        for (int i = 0; i < t.numHiddenLayers(); i++) {
            if (t.isAttention(i)) {
                g.input("past_key_values." + i + ".key", DataType.FLOAT, BATCH, t.numKeyValueHeads(), PAST, t.headDim());
                g.input("past_key_values." + i + ".value", DataType.FLOAT, BATCH, t.numKeyValueHeads(), PAST, t.headDim());
            }
        }

        g.scope("attn_mask");
        GroupQueryAttentionNodes.Lengths lengths = lengths(g, mask);
        g.scope("rope");
        GroupQueryAttentionNodes attention = new GroupQueryAttentionNodes(g, t, lengths, rotary,
                rotary == Rotary.EMBEDDING ? positionsFromPastLength(g, embeds, mask) : null);

        Lfm2Layers layers = new Lfm2Layers(g, t, weights, names);
        String p0 = names.model() + "layers.0.";
        g.scope("layers.0");
        String x = g.simplifiedLayerNorm(embeds, layers.weight(p0 + "operator_norm.weight", hidden), t.normEps());
        String residual = embeds;
        for (int i = 0; i < t.numHiddenLayers(); i++) {
            String p = names.model() + "layers." + i + ".";
            String mixed = t.isAttention(i)
                    ? attention.block(i, p + "self_attn.", x, layers)
                    : layers.convBlock(i, p + "conv.", x, null);
            g.scope("layers." + i + "/ffn");
            List<String> ffnIn = g.skipSimplifiedLayerNorm(mixed, residual,
                    layers.weight(p + "ffn_norm.weight", hidden), t.normEps());
            residual = ffnIn.get(1);
            String ffnOut = layers.mlp(p + "feed_forward.", ffnIn.get(0));
            boolean last = i + 1 == t.numHiddenLayers();
            g.scope(last ? "head" : "layers." + (i + 1));
            String nextNorm = last ? names.model() + "embedding_norm.weight"
                    : names.model() + "layers." + (i + 1) + ".operator_norm.weight";
            List<String> next = g.skipSimplifiedLayerNorm(ffnOut, residual, layers.weight(nextNorm, hidden), t.normEps());
            x = next.get(0);
            residual = next.get(1);
        }

        String table = DecoderGraphs.embeddingTable(g, t, weights, names);
        g.output(DecoderGraphs.lmHead(g, x, table, t), "logits", DataType.FLOAT, BATCH, SEQ, t.vocabSize());
        g.placeOutputFirst("logits");
        return g.build(PRODUCER);
    }

    /** seqlens_k [batch] = sum(mask) - 1 and total_sequence_length = mask.shape[1], both int32 as GQA takes them. */
    private static GroupQueryAttentionNodes.Lengths lengths(OnnxGraphBuilder g, String mask) {
        String sum = g.op("ReduceSum", List.of(mask, g.constInts(1)), Map.of("keepdims", 0L));
        String seqlensK = g.cast(g.sub(sum, g.scalarInt(1)), DataType.INT32);
        String total = g.cast(g.gather(g.shape(mask), g.scalarInt(1), 0), DataType.INT32);
        return new GroupQueryAttentionNodes.Lengths(seqlensK, total);
    }

    /**
     * position_ids [batch, seq] = past + 0..seq-1 with past = mask.shape[1] - seq: one past length for the whole batch,
     * which is what makes the {@link Rotary#EMBEDDING} variant batch-variant.
     */
    private static String positionsFromPastLength(OnnxGraphBuilder g, String embeds, String mask) {
        String seq = g.gather(g.shape(embeds), g.scalarInt(1), 0);
        String total = g.gather(g.shape(mask), g.scalarInt(1), 0);
        String past = g.sub(total, seq);
        String positions = g.unsqueeze(g.range(past, total, g.scalarInt(1)), 0);
        String shape = g.concat(0, g.shape(embeds, 0, 1), g.unsqueeze(seq, 0));
        return g.op("Expand", positions, shape);
    }
}
