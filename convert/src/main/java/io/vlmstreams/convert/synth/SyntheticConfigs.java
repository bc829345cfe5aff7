package io.vlmstreams.convert.synth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * The JSON configs of a synthetic checkpoint in upstream transformers' shapes: {@code config.json}
 * (model_type {@code lfm2_vl}), {@code generation_config.json} with the model card's decoding
 * defaults, and {@code processor_config.json} / {@code preprocessor_config.json}.
 */
final class SyntheticConfigs {

    /** Token ids the configs refer to, read from the tokenizer that goes with them. */
    record TokenIds(int pad, int bos, int eos, int image, int vocabSize) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<Integer> ATTENTION_450M = List.of(2, 5, 8, 10, 12, 14);

    private SyntheticConfigs() {
    }

    static ObjectNode config(Size size, TokenIds ids) {
        boolean big = size == Size.LFM2_VL_450M;
        ObjectNode root = JSON.createObjectNode();
        root.putArray("architectures").add("Lfm2VlForConditionalGeneration");
        root.put("downsample_factor", 2);
        root.put("dtype", big ? "bfloat16" : "float32");
        root.put("image_token_id", ids.image());
        root.put("model_type", "lfm2_vl");
        root.put("projector_bias", true);
        root.put("projector_hidden_act", "gelu");
        root.put("projector_hidden_size", big ? 2560 : 128);
        root.put("projector_use_layernorm", true);
        ObjectNode text = root.putObject("text_config");
        text.put("block_auto_adjust_ff_dim", big);
        text.put("block_ffn_dim_multiplier", 1.0);
        text.put("block_multiple_of", 256);
        text.put("bos_token_id", ids.bos());
        text.put("conv_L_cache", 3);
        text.put("conv_bias", false);
        text.put("eos_token_id", ids.eos());
        text.put("hidden_size", big ? 1024 : 64);
        text.put("initializer_range", 0.02);
        text.put("intermediate_size", big ? 6656 : 128);
        ArrayNode types = text.putArray("layer_types");
        int layers = big ? 16 : 4;
        for (int i = 0; i < layers; i++) {
            boolean attention = big ? ATTENTION_450M.contains(i) : i % 2 == 1;
            types.add(attention ? "full_attention" : "conv");
        }
        text.put("max_position_embeddings", big ? 128_000 : 4096);
        text.put("model_type", "lfm2");
        text.put("norm_eps", 1e-5);
        text.put("num_attention_heads", big ? 16 : 4);
        text.put("num_hidden_layers", layers);
        text.put("num_key_value_heads", big ? 8 : 2);
        text.put("pad_token_id", ids.pad());
        ObjectNode rope = text.putObject("rope_parameters");
        rope.put("rope_theta", 1_000_000.0);
        rope.put("rope_type", "default");
        text.put("tie_word_embeddings", true);
        text.put("use_cache", true);
        text.put("vocab_size", ids.vocabSize());
        root.put("tie_word_embeddings", true);
        ObjectNode vision = root.putObject("vision_config");
        vision.put("attention_dropout", 0.0);
        vision.put("hidden_act", "gelu_pytorch_tanh");
        vision.put("hidden_size", big ? 768 : 64);
        vision.put("intermediate_size", big ? 3072 : 128);
        vision.put("layer_norm_eps", 1e-6);
        vision.put("model_type", "siglip2_vision_model");
        vision.put("num_attention_heads", big ? 12 : 4);
        vision.put("num_channels", 3);
        vision.put("num_hidden_layers", big ? 12 : 2);
        vision.put("num_patches", 256);
        vision.put("patch_size", 16);
        vision.put("vision_use_head", false);
        return root;
    }

    static ObjectNode generationConfig(TokenIds ids) {
        ObjectNode g = JSON.createObjectNode();
        g.put("bos_token_id", ids.bos());
        g.put("do_sample", true);
        g.put("eos_token_id", ids.eos());
        g.put("min_p", 0.15);
        g.put("pad_token_id", ids.pad());
        g.put("repetition_penalty", 1.05);
        g.put("temperature", 0.1);
        g.put("use_cache", true);
        return g;
    }

    /** Flat image-processor settings (preprocessor_config.json); the 450M ships with the thumbnail off. */
    static ObjectNode imageProcessor(Size size) {
        ObjectNode p = JSON.createObjectNode();
        p.put("do_image_splitting", true);
        p.put("do_normalize", true);
        p.put("do_pad", true);
        p.put("do_rescale", true);
        p.put("do_resize", true);
        p.put("downsample_factor", 2);
        p.put("encoder_patch_size", 16);
        p.putArray("image_mean").add(0.5).add(0.5).add(0.5);
        p.put("image_processor_type", "Lfm2VlImageProcessor");
        p.putArray("image_std").add(0.5).add(0.5).add(0.5);
        p.put("max_image_tokens", 256);
        p.put("max_num_patches", 1024);
        p.put("max_pixels_tolerance", 2.0);
        p.put("max_tiles", 10);
        p.put("min_image_tokens", 64);
        p.put("min_tiles", 2);
        p.put("resample", 2);
        p.put("rescale_factor", 1.0 / 255.0);
        p.put("return_row_col_info", false);
        ObjectNode s = p.putObject("size");
        s.put("height", 512);
        s.put("width", 512);
        p.put("tile_size", 512);
        p.put("use_thumbnail", size != Size.LFM2_VL_450M);
        return p;
    }

    static ObjectNode processorConfig(Size size) {
        ObjectNode root = JSON.createObjectNode();
        root.set("image_processor", imageProcessor(size));
        root.put("processor_class", "Lfm2VlProcessor");
        return root;
    }

    static ObjectNode preprocessorConfig(Size size) {
        ObjectNode p = imageProcessor(size);
        p.put("processor_class", "Lfm2VlProcessor");
        return io.vlmstreams.convert.CompanionFiles.forTransformersJs(p);
    }
}
