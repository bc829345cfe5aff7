package io.vlmstreams.inference.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The architecture of an LFM2-VL model as read from its {@code config.json} (model_type {@code lfm2_vl}):
 * the same file in an upstream checkpoint and in an onnx-community folder.
 */
public record Lfm2VlConfig(
        TextConfig text,
        VisionConfig vision,
        int imageTokenId,
        int downsampleFactor,
        int projectorHiddenSize,
        String projectorHiddenAct,
        boolean projectorBias,
        boolean projectorUseLayernorm) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads and validates {@code config.json}; errors name the file and the key. */
    public static Lfm2VlConfig read(Path configJson) {
        try {
            return fromJson(JSON.readTree(Files.readAllBytes(configJson)), configJson.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + configJson + ": " + e.getMessage(), e);
        }
    }

    public static Lfm2VlConfig fromJson(JsonNode root, String origin) {
        String type = root.path("model_type").asText("");
        if (!isLfm2Vl(type)) {
            throw new IllegalArgumentException(origin + ": model_type is '" + type + "', expected 'lfm2_vl' (LFM2-VL or LFM2.5-VL)");
        }
        Keys k = new Keys(root, origin);
        return new Lfm2VlConfig(
                TextConfig.fromJson(k.object("text_config"), origin + " text_config"),
                VisionConfig.fromJson(k.object("vision_config"), origin + " vision_config"),
                k.intOr("image_token_id", 396),
                k.intOr("downsample_factor", 2),
                k.intOr("projector_hidden_size", 2560),
                k.textOr("projector_hidden_act", "gelu"),
                k.boolOr("projector_bias", true),
                k.boolOr("projector_use_layernorm", true));
    }

    /**
     * True for the spellings of LFM2-VL's model_type: {@code lfm2_vl} (transformers, and the published
     * LFM2.5-VL configs), {@code lfm2-vl} (an early remote-code config), and LFM2.5 spelled out
     * ({@code lfm2.5_vl}, {@code lfm2_5_vl}, ...). Case, '-', '_' and '.' are not significant.
     */
    static boolean isLfm2Vl(String modelType) {
        String t = modelType.toLowerCase(java.util.Locale.ROOT).replaceAll("[-_.]", "");
        return t.equals("lfm2vl") || t.equals("lfm25vl");
    }

    /** LFM2 language tower settings ({@code text_config}). */
    public record TextConfig(
            int vocabSize,
            int hiddenSize,
            int intermediateSize,
            int numHiddenLayers,
            int numAttentionHeads,
            int numKeyValueHeads,
            java.util.List<String> layerTypes,
            int convLCache,
            boolean convBias,
            double normEps,
            double ropeTheta,
            int maxPositionEmbeddings,
            boolean blockAutoAdjustFfDim,
            double blockFfnDimMultiplier,
            int blockMultipleOf,
            int bosTokenId,
            int eosTokenId,
            int padTokenId) {

        static TextConfig fromJson(JsonNode n, String origin) {
            Keys k = new Keys(n, origin);
            int layers = k.integer("num_hidden_layers");
            java.util.List<String> types = new java.util.ArrayList<>();
            if (n.hasNonNull("layer_types")) {
                n.get("layer_types").forEach(t -> types.add(t.asText()));
            } else if (n.hasNonNull("full_attn_idxs")) {
                java.util.Set<Integer> attn = new java.util.HashSet<>();
                n.get("full_attn_idxs").forEach(i -> attn.add(i.asInt()));
                for (int i = 0; i < layers; i++) {
                    types.add(attn.contains(i) ? "full_attention" : "conv");
                }
            } else {
                throw new IllegalArgumentException(origin + ": neither layer_types nor full_attn_idxs is set");
            }
            if (types.size() != layers) {
                throw new IllegalArgumentException(origin + ": layer_types has " + types.size()
                        + " entries but num_hidden_layers is " + layers);
            }
            for (String t : types) {
                if (!t.equals("conv") && !t.equals("full_attention")) {
                    throw new IllegalArgumentException(origin + ": unknown layer type '" + t + "' in layer_types");
                }
            }
            double theta = n.path("rope_parameters").path("rope_theta").asDouble(n.path("rope_theta").asDouble(1_000_000.0));
            return new TextConfig(
                    k.integer("vocab_size"), k.integer("hidden_size"), k.integer("intermediate_size"), layers,
                    k.integer("num_attention_heads"), k.integer("num_key_value_heads"), java.util.List.copyOf(types),
                    k.intOr("conv_L_cache", 3), k.boolOr("conv_bias", false), k.doubleOr("norm_eps", 1e-5), theta,
                    k.intOr("max_position_embeddings", 128_000), k.boolOr("block_auto_adjust_ff_dim", true),
                    k.doubleOr("block_ffn_dim_multiplier", 1.0), k.intOr("block_multiple_of", 256),
                    k.intOr("bos_token_id", 1), k.intOr("eos_token_id", 7), k.intOr("pad_token_id", 0));
        }

        /** Width of each attention head. */
        public int headDim() {
            return hiddenSize / numAttentionHeads;
        }

        /** Feed-forward width after upstream's {@code block_auto_adjust_ff_dim} rule (Lfm2MLP). */
        public int ffnDim() {
            int ff = intermediateSize;
            if (blockAutoAdjustFfDim) {
                ff = (int) (2 * ff / 3.0);
                ff = (int) (blockFfnDimMultiplier * ff);
                ff = blockMultipleOf * ((ff + blockMultipleOf - 1) / blockMultipleOf);
            }
            return ff;
        }

        /** True when layer {@code i} is a full-attention layer, false for a short-convolution layer. */
        public boolean isAttention(int i) {
            return layerTypes.get(i).equals("full_attention");
        }
    }

    /** SigLIP2 NaFlex vision encoder settings ({@code vision_config}). */
    public record VisionConfig(
            int hiddenSize,
            int intermediateSize,
            int numHiddenLayers,
            int numAttentionHeads,
            int numChannels,
            int patchSize,
            int numPatches,
            double layerNormEps,
            String hiddenAct) {

        static VisionConfig fromJson(JsonNode n, String origin) {
            Keys k = new Keys(n, origin);
            return new VisionConfig(
                    k.integer("hidden_size"), k.integer("intermediate_size"), k.integer("num_hidden_layers"),
                    k.integer("num_attention_heads"), k.intOr("num_channels", 3), k.intOr("patch_size", 16),
                    k.intOr("num_patches", 256), k.doubleOr("layer_norm_eps", 1e-6), k.textOr("hidden_act", "gelu_pytorch_tanh"));
        }

        /** Side of the learned square position-embedding grid (sqrt of num_patches). */
        public int positionGridSide() {
            return (int) Math.round(Math.sqrt(numPatches));
        }
    }

    /** Key access with errors that name the file and key. */
    private record Keys(JsonNode node, String origin) {
        JsonNode object(String key) {
            JsonNode v = node.get(key);
            if (v == null || !v.isObject()) {
                throw new IllegalArgumentException(origin + ": missing object '" + key + "'");
            }
            return v;
        }

        int integer(String key) {
            JsonNode v = node.get(key);
            if (v == null || !v.canConvertToInt()) {
                throw new IllegalArgumentException(origin + ": missing or non-integer '" + key + "'");
            }
            return v.asInt();
        }

        int intOr(String key, int dflt) {
            JsonNode v = node.get(key);
            return v == null || v.isNull() ? dflt : v.asInt();
        }

        double doubleOr(String key, double dflt) {
            JsonNode v = node.get(key);
            return v == null || v.isNull() ? dflt : v.asDouble();
        }

        boolean boolOr(String key, boolean dflt) {
            JsonNode v = node.get(key);
            return v == null || v.isNull() ? dflt : v.asBoolean();
        }

        String textOr(String key, String dflt) {
            JsonNode v = node.get(key);
            return v == null || v.isNull() ? dflt : v.asText();
        }
    }
}
