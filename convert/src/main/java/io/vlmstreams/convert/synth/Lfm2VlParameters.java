package io.vlmstreams.convert.synth;

import io.vlmstreams.inference.model.Lfm2VlConfig;
import io.vlmstreams.inference.model.Lfm2VlConfig.TextConfig;
import io.vlmstreams.inference.model.Lfm2VlConfig.VisionConfig;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The parameters of an LFM2-VL checkpoint under upstream transformers' names and shapes
 * ({@code model.vision_tower.*}, {@code model.multi_modal_projector.*},
 * {@code model.language_model.*}), as the tiny reference checkpoint has them. The SigLIP2 pooling
 * head is left out: LFM2-VL never uses it ({@code vision_use_head: false}).
 */
public final class Lfm2VlParameters {

    private Lfm2VlParameters() {
    }

    /** Every parameter, sorted by name (the order safetensors files keep). */
    public static List<Parameter> of(Lfm2VlConfig config) {
        List<Parameter> out = new ArrayList<>();
        vision(config.vision(), out);
        projector(config, out);
        text(config.text(), out);
        out.sort(Comparator.comparing(Parameter::name));
        return List.copyOf(out);
    }

    /** Total number of values. */
    public static long count(List<Parameter> parameters) {
        return parameters.stream().mapToLong(Parameter::elementCount).sum();
    }

    private static void vision(VisionConfig v, List<Parameter> out) {
        String p = "model.vision_tower.";
        long h = v.hiddenSize();
        long i = v.intermediateSize();
        out.add(matrix(p + "embeddings.patch_embedding.weight", h, (long) v.numChannels() * v.patchSize() * v.patchSize()));
        out.add(bias(p + "embeddings.patch_embedding.bias", h));
        out.add(new Parameter(p + "embeddings.position_embedding.weight", new long[] {v.numPatches(), h},
                Parameter.Init.EMBEDDING));
        for (int l = 0; l < v.numHiddenLayers(); l++) {
            String q = p + "encoder.layers." + l + ".";
            layerNorm(q + "layer_norm1", h, out);
            layerNorm(q + "layer_norm2", h, out);
            linear(q + "mlp.fc1", i, h, true, out);
            linear(q + "mlp.fc2", h, i, true, out);
            for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
                linear(q + "self_attn." + proj, h, h, true, out);
            }
        }
        layerNorm(p + "post_layernorm", h, out);
    }

    private static void projector(Lfm2VlConfig c, List<Parameter> out) {
        String p = "model.multi_modal_projector.";
        long in = (long) c.vision().hiddenSize() * c.downsampleFactor() * c.downsampleFactor();
        if (c.projectorUseLayernorm()) {
            layerNorm(p + "layer_norm", in, out);
        }
        linear(p + "linear_1", c.projectorHiddenSize(), in, c.projectorBias(), out);
        linear(p + "linear_2", c.text().hiddenSize(), c.projectorHiddenSize(), c.projectorBias(), out);
    }

    private static void text(TextConfig t, List<Parameter> out) {
        String p = "model.language_model.";
        long h = t.hiddenSize();
        long f = t.ffnDim();
        long hd = t.headDim();
        out.add(new Parameter(p + "embed_tokens.weight", new long[] {t.vocabSize(), h}, Parameter.Init.EMBEDDING));
        out.add(norm(p + "embedding_norm.weight", h));
        for (int l = 0; l < t.numHiddenLayers(); l++) {
            String q = p + "layers." + l + ".";
            out.add(norm(q + "operator_norm.weight", h));
            out.add(norm(q + "ffn_norm.weight", h));
            linear(q + "feed_forward.w1", f, h, false, out);
            linear(q + "feed_forward.w3", f, h, false, out);
            linear(q + "feed_forward.w2", h, f, false, out);
            if (t.isAttention(l)) {
                linear(q + "self_attn.q_proj", t.numAttentionHeads() * hd, h, false, out);
                linear(q + "self_attn.k_proj", t.numKeyValueHeads() * hd, h, false, out);
                linear(q + "self_attn.v_proj", t.numKeyValueHeads() * hd, h, false, out);
                linear(q + "self_attn.out_proj", h, t.numAttentionHeads() * hd, false, out);
                out.add(norm(q + "self_attn.q_layernorm.weight", hd));
                out.add(norm(q + "self_attn.k_layernorm.weight", hd));
            } else {
                linear(q + "conv.in_proj", 3 * h, h, t.convBias(), out);
                out.add(new Parameter(q + "conv.conv.weight", new long[] {h, 1, t.convLCache()}, Parameter.Init.MATRIX));
                if (t.convBias()) {
                    out.add(bias(q + "conv.conv.bias", h));
                }
                linear(q + "conv.out_proj", h, h, t.convBias(), out);
            }
        }
    }

    private static void linear(String name, long outFeatures, long inFeatures, boolean bias, List<Parameter> out) {
        out.add(matrix(name + ".weight", outFeatures, inFeatures));
        if (bias) {
            out.add(bias(name + ".bias", outFeatures));
        }
    }

    private static void layerNorm(String name, long width, List<Parameter> out) {
        out.add(norm(name + ".weight", width));
        out.add(bias(name + ".bias", width));
    }

    private static Parameter matrix(String name, long rows, long cols) {
        return new Parameter(name, new long[] {rows, cols}, Parameter.Init.MATRIX);
    }

    private static Parameter bias(String name, long width) {
        return new Parameter(name, new long[] {width}, Parameter.Init.BIAS);
    }

    private static Parameter norm(String name, long width) {
        return new Parameter(name, new long[] {width}, Parameter.Init.NORM_SCALE);
    }
}
