package io.vlmstreams.inference.model;

import io.vlmstreams.devstack.Fixtures;
import io.vlmstreams.inference.image.ImageProcessorConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelFolderTest {

    @TempDir
    Path tmp;

    /** A folder with the tiny model's real JSON files and empty graph files named {@code names}. */
    private Path folder(String... names) throws IOException {
        return folderNamed("LFM2-VL-tiny-ONNX", names);
    }

    private Path folderNamed(String name, String... names) throws IOException {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir.resolve("onnx"));
        for (String f : List.of("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json",
                "processor_config.json", "chat_template.jinja")) {
            Files.copy(Fixtures.tinyCheckpoint().resolve(f), dir.resolve(f));
        }
        for (String n : names) {
            Files.createFile(dir.resolve("onnx").resolve(n));
        }
        return dir;
    }

    private Path standardFolder() throws IOException {
        return folder("vision_encoder.onnx", "vision_encoder_fp16.onnx", "vision_encoder_quantized.onnx",
                "embed_tokens.onnx", "embed_tokens_fp16.onnx", "embed_tokens_quantized.onnx", "embed_tokens_q4.onnx",
                "decoder_model_merged.onnx", "decoder_model_merged_fp16.onnx", "decoder_model_merged_q8.onnx",
                "decoder_model_merged_quantized.onnx", "decoder_model_merged_q4.onnx");
    }

    @Test
    void resolvesGraphsByDtypeSuffix() throws IOException {
        Path dir = standardFolder();
        ModelFolder fp32 = ModelFolder.open(dir, "fp32");
        assertThat(fp32.visionEncoder()).isEqualTo(dir.resolve("onnx/vision_encoder.onnx"));
        assertThat(fp32.embedTokens()).isEqualTo(dir.resolve("onnx/embed_tokens.onnx"));
        assertThat(fp32.decoder()).isEqualTo(dir.resolve("onnx/decoder_model_merged.onnx"));
        assertThat(fp32.projector()).isEmpty();
        assertThat(fp32.modelId()).isEqualTo("LFM2-VL-tiny-ONNX:fp32");

        ModelFolder fp16 = ModelFolder.open(dir, "fp16");
        assertThat(fp16.decoder().getFileName()).hasToString("decoder_model_merged_fp16.onnx");
        assertThat(fp16.visionEncoder().getFileName()).hasToString("vision_encoder_fp16.onnx");
    }

    @Test
    void q8PrefersQ8AndFallsBackToQuantized() throws IOException {
        ModelFolder q8 = ModelFolder.open(standardFolder(), "q8");
        assertThat(q8.decoder().getFileName()).hasToString("decoder_model_merged_q8.onnx");
        assertThat(q8.embedTokens().getFileName()).hasToString("embed_tokens_quantized.onnx");
        assertThat(q8.visionEncoder().getFileName()).hasToString("vision_encoder_quantized.onnx");
    }

    @Test
    void mixedDtypesPerGraph() throws IOException {
        Path dir = standardFolder();
        ModelFolder m = ModelFolder.open(dir, "vision_encoder=fp16,embed_tokens=q4,decoder_model_merged=q4");
        assertThat(m.visionEncoder().getFileName()).hasToString("vision_encoder_fp16.onnx");
        assertThat(m.embedTokens().getFileName()).hasToString("embed_tokens_q4.onnx");
        assertThat(m.decoder().getFileName()).hasToString("decoder_model_merged_q4.onnx");
        assertThat(m.modelId()).isEqualTo("LFM2-VL-tiny-ONNX:fp32,vision_encoder=fp16,embed_tokens=q4,decoder_model_merged=q4");

        // A bare entry is the default for the graphs not named.
        ModelFolder d = ModelFolder.open(dir, "fp16, decoder_model_merged=q4");
        assertThat(d.embedTokens().getFileName()).hasToString("embed_tokens_fp16.onnx");
        assertThat(d.decoder().getFileName()).hasToString("decoder_model_merged_q4.onnx");
        assertThat(d.dtype().toString()).isEqualTo("fp16,decoder_model_merged=q4");
    }

    @Test
    void aGraphWithoutTheAskedPrecisionTakesTheNearestOne() throws IOException {
        Path dir = standardFolder();
        // No q4 vision encoder: q4 -> q4f16 -> fp16 finds vision_encoder_fp16.
        ModelFolder q4 = ModelFolder.open(dir, "q4");
        assertThat(q4.visionEncoder().getFileName()).hasToString("vision_encoder_fp16.onnx");
        assertThat(q4.embedTokens().getFileName()).hasToString("embed_tokens_q4.onnx");
        assertThat(q4.decoder().getFileName()).hasToString("decoder_model_merged_q4.onnx");
        assertThat(q4.selection().summary()).isEqualTo("dtype q4 (asked): vision_encoder_fp16.onnx (no q4; nearest fp16), "
                + "embed_tokens_q4.onnx, decoder_model_merged_q4.onnx");
        assertThat(q4.selection().chosen().get(OnnxGraph.VISION_ENCODER).fellBack()).isTrue();
        assertThat(q4.modelId()).isEqualTo("LFM2-VL-tiny-ONNX:q4");

        // q8 never falls to q4: the nearest of a q8-less graph is a float one.
        Path floats = folderNamed("floats", "vision_encoder.onnx", "embed_tokens.onnx", "decoder_model_merged.onnx", "decoder_model_merged_q4.onnx");
        ModelFolder q8 = ModelFolder.open(floats, "q8");
        assertThat(q8.decoder().getFileName()).hasToString("decoder_model_merged.onnx");
        assertThat(q8.selection().summary()).endsWith("decoder_model_merged.onnx (no q8; nearest fp32)");
    }

    @Test
    void aGraphAskedForByNameMustExistInThatPrecision() throws IOException {
        Path dir = standardFolder();
        assertThatThrownBy(() -> ModelFolder.open(dir, "vision_encoder=q4"))
                .isInstanceOf(ModelFolderException.class)
                .hasMessage("no vision_encoder graph for dtype q4 (asked for by name) in " + dir.resolve("onnx")
                        + "; present: vision_encoder{,_fp16,_quantized}, embed_tokens{,_fp16,_quantized,_q4}, "
                        + "decoder_model_merged{,_fp16,_q8,_quantized,_q4}");
        assertThatThrownBy(() -> ModelFolder.open(dir, "vision_encoder=fp16,embed_tokens=bnb4"))
                .hasMessageStartingWith("no embed_tokens graph for dtype bnb4 (asked for by name) in ");
    }

    @Test
    void noPrecisionInTheFallbackOrderIsAShortError() throws IOException {
        Path dir = folder("vision_encoder_q8.onnx", "embed_tokens.onnx", "decoder_model_merged.onnx");
        assertThatThrownBy(() -> ModelFolder.open(dir, "q4"))
                .isInstanceOf(ModelFolderException.class)
                .hasMessage("no vision_encoder graph for dtype q4 or the nearest q4f16, fp16, fp32 in " + dir.resolve("onnx")
                        + "; present: vision_encoder_q8, embed_tokens, decoder_model_merged");
    }

    @Test
    void aMissingGraphNamesItsStemsAndWhatIsPresent() throws IOException {
        Path noDecoder = folderNamed("no-decoder", "vision_encoder.onnx", "embed_tokens.onnx", "embed_tokens_fp16.onnx", "notes.onnx");
        assertThatThrownBy(() -> ModelFolder.open(noDecoder, "fp32"))
                .isInstanceOf(ModelFolderException.class)
                .hasMessage("no decoder_model_merged graph in " + noDecoder.resolve("onnx")
                        + " (looked for decoder_model_merged*.onnx, decoder*.onnx); present: vision_encoder, embed_tokens{,_fp16}, notes.onnx");
    }

    @Test
    void splitLayoutExposesProjector() throws IOException {
        Path dir = folder("vision_encoder.onnx", "projector.onnx", "projector_fp16.onnx", "embed_tokens.onnx",
                "decoder_model_merged.onnx", "decoder_model_merged_fp16.onnx");
        assertThat(ModelFolder.open(dir, "fp32").projector()).contains(dir.resolve("onnx/projector.onnx"));
        assertThat(ModelFolder.open(dir, "fp32,projector=fp16").projector()).contains(dir.resolve("onnx/projector_fp16.onnx"));
        // A split folder without the projector in the chosen dtype is inconsistent, not a fused one.
        assertThatThrownBy(() -> ModelFolder.open(dir, "fp32,projector=q4"))
                .hasMessageStartingWith("no projector graph for dtype q4 (asked for by name) in ")
                .hasMessageEndingWith("present: vision_encoder, projector{,_fp16}, embed_tokens, decoder_model_merged{,_fp16}");
    }

    @Test
    void missingFilesAreNamed() throws IOException {
        Path dir = standardFolder();
        Files.delete(dir.resolve("config.json"));
        assertThatThrownBy(() -> ModelFolder.open(dir, "fp32")).hasMessage("model folder " + dir + ": config.json not found");

        Path dir2 = tmp.resolve("other");
        Files.createDirectories(dir2);
        Files.copy(Fixtures.tinyCheckpoint().resolve("config.json"), dir2.resolve("config.json"));
        assertThatThrownBy(() -> ModelFolder.open(dir2, "fp32")).hasMessage("model folder " + dir2 + ": tokenizer.json not found");
        Files.copy(Fixtures.tinyCheckpoint().resolve("tokenizer.json"), dir2.resolve("tokenizer.json"));
        assertThatThrownBy(() -> ModelFolder.open(dir2, "fp32")).hasMessageContaining("no chat template");
        Files.writeString(dir2.resolve("chat_template.jinja"), "{{ bos_token }}");
        assertThatThrownBy(() -> ModelFolder.open(dir2, "fp32")).hasMessage("model folder " + dir2 + ": no onnx/ directory");
        assertThatThrownBy(() -> ModelFolder.open(tmp.resolve("absent"), "fp32"))
                .isInstanceOf(ModelFolderException.class).hasMessage("model folder " + tmp.resolve("absent") + ": no such directory");
        Files.writeString(dir2.resolve("generation_config.json"), "[1, 2]");
        assertThatThrownBy(() -> ModelFolder.open(dir2, "fp32")).hasMessageContaining("generation_config.json does not hold a JSON object");
    }

    @Test
    void unknownDtypeOrGraphIsRejected() {
        assertThatThrownBy(() -> DtypeSelection.parse("fp8")).hasMessageContaining("unknown dtype 'fp8'");
        assertThatThrownBy(() -> DtypeSelection.parse("text=q4")).hasMessageContaining("unknown ONNX graph 'text'");
        assertThat(DtypeSelection.parse("decoder=q4").dtypeOf(OnnxGraph.DECODER)).isEqualTo(OnnxDtype.Q4);
        assertThatThrownBy(() -> DtypeSelection.parse("q4,fp16")).hasMessageContaining("more than one default dtype");
        assertThat(DtypeSelection.parse("quantized").dtypeOf(OnnxGraph.DECODER)).isEqualTo(OnnxDtype.Q8);
        assertThat(DtypeSelection.parse("")).isEqualTo(DtypeSelection.of(OnnxDtype.FP32));
    }

    @Test
    void readsConfigsOfTheFolder() throws IOException {
        ModelFolder m = ModelFolder.open(standardFolder(), "fp32");
        assertThat(m.config().imageTokenId()).isEqualTo(5);
        assertThat(m.generationConfig().eosTokenIds()).containsExactly(4);
        assertThat(m.generationConfig().bosTokenId()).hasValue(1);
        assertThat(m.generationConfig().padTokenId()).hasValue(0);
        assertThat(m.generationConfig().doSample()).isFalse();
        assertThat(m.imageProcessorConfig().path("max_image_tokens").asInt()).isEqualTo(256);
        assertThat(m.imageProcessorConfig().path("use_thumbnail").asBoolean()).isTrue();
        assertThat(m.tokenizerConfig().path("eos_token").asText()).isEqualTo("<|im_end|>");
        assertThat(m.chatTemplate()).startsWith("{{- bos_token -}}");
        assertThat(m.tokenizerJson().getFileName()).hasToString("tokenizer.json");
    }

    @Test
    void mergesImageSettingsOfBothProcessorFiles() throws IOException {
        Path dir = standardFolder();
        Files.writeString(dir.resolve("preprocessor_config.json"),
                "{\"image_processor_type\": \"Lfm2VlImageProcessor\", \"max_image_tokens\": 128, \"do_resize\": true, \"tile_size\": 384}");
        // Older processor_config.json files carry processor kwargs at top level; newer ones nest "image_processor".
        Files.writeString(dir.resolve("processor_config.json"),
                "{\"processor_class\": \"Lfm2VlProcessor\", \"use_thumbnail\": false, \"tile_size\": 448,"
                        + " \"image_processor\": {\"max_image_tokens\": 192}, \"chat_template\": \"{{ x }}\"}");
        Files.delete(dir.resolve("chat_template.jinja"));
        ModelFolder m = ModelFolder.open(dir, "fp32");
        assertThat(m.imageProcessorConfig().path("max_image_tokens").asInt()).isEqualTo(192);
        assertThat(m.imageProcessorConfig().path("use_thumbnail").asBoolean(true)).isFalse();
        assertThat(m.imageProcessorConfig().path("tile_size").asInt()).isEqualTo(448);
        assertThat(m.imageProcessorConfig().path("do_resize").asBoolean()).isTrue();
        assertThat(m.imageProcessorConfig().has("processor_class")).isFalse();
        assertThat(m.chatTemplate()).isEqualTo("{{ x }}");
    }

    @Test
    void nestedAndRenamedProcessorSettingsReachTheImageProcessor() throws IOException {
        Path dir = standardFolder();
        // A 1.6B-style processor_config.json: settings nested under image_processor, patch_size for encoder_patch_size.
        Files.writeString(dir.resolve("processor_config.json"),
                "{\"processor_class\": \"Lfm2VlProcessor\", \"image_processor\": {\"patch_size\": 14,"
                        + " \"max_image_tokens\": 128, \"use_thumbnail\": false}}");
        Files.writeString(dir.resolve("preprocessor_config.json"),
                "{\"encoder_patch_size\": 16, \"min_image_tokens\": 32, \"max_image_tokens\": 256, \"tile_size\": 448}");
        ImageProcessorConfig c = ImageProcessorConfig.fromJson(ModelFolder.open(dir, "fp32").imageProcessorConfig());
        assertThat(c.patchSize()).isEqualTo(14);
        assertThat(c.maxImageTokens()).isEqualTo(128);
        assertThat(c.minImageTokens()).isEqualTo(32);
        assertThat(c.tileSize()).isEqualTo(448);
        assertThat(c.useThumbnail()).isFalse();
        assertThat(c.downsampleFactor()).isEqualTo(ImageProcessorConfig.defaults().downsampleFactor());

        // Read directly, a processor config's top level applies first, then its nested object.
        ImageProcessorConfig direct = ImageProcessorConfig.fromJson(new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                "{\"tile_size\": 384, \"max_tiles\": 4, \"image_processor\": {\"tile_size\": 256}}"));
        assertThat(direct.tileSize()).isEqualTo(256);
        assertThat(direct.maxTiles()).isEqualTo(4);
    }

    @Test
    void modelTypeSpellingsOfBothFamiliesAreAccepted() throws IOException {
        Path dir = standardFolder();
        for (String type : List.of("lfm2_vl", "lfm2-vl", "LFM2-VL", "lfm2.5-vl", "lfm2_5_vl")) {
            setModelType(dir, type);
            assertThat(ModelFolder.open(dir, "fp32").config().imageTokenId()).as(type).isEqualTo(5);
        }
        setModelType(dir, "qwen2_vl");
        assertThatThrownBy(() -> ModelFolder.open(dir, "fp32"))
                .isInstanceOf(ModelFolderException.class)
                .hasMessage(dir.resolve("config.json") + ": model_type is 'qwen2_vl', expected 'lfm2_vl' (LFM2-VL or LFM2.5-VL)");
    }

    @Test
    void transformersJsDtypeIsTheDefaultWhenNoneIsAsked() throws IOException {
        Path dir = standardFolder();
        setTransformersJsDtype(dir, "\"q4\"");
        ModelFolder own = ModelFolder.open(dir, "");
        assertThat(own.decoder().getFileName()).hasToString("decoder_model_merged_q4.onnx");
        assertThat(own.selection().source()).isEqualTo(DtypeSource.FOLDER);
        assertThat(own.selection().summary()).startsWith("dtype q4 (from config.json transformers.js_config.dtype): ");
        assertThat(ModelFolder.open(dir, "auto").decoder()).isEqualTo(own.decoder());
        // Asking overrides the folder.
        ModelFolder asked = ModelFolder.open(dir, "fp16");
        assertThat(asked.decoder().getFileName()).hasToString("decoder_model_merged_fp16.onnx");
        assertThat(asked.selection().source()).isEqualTo(DtypeSource.ASKED);

        // A per-graph object; graphs it leaves out are fp32, as in transformers.js; aliases are keys too.
        setTransformersJsDtype(dir, "{\"embed_images\": \"fp16\", \"decoder_model_merged\": \"q8\"}");
        ModelFolder perGraph = ModelFolder.open(dir, (String) null);
        assertThat(perGraph.visionEncoder().getFileName()).hasToString("vision_encoder_fp16.onnx");
        assertThat(perGraph.embedTokens().getFileName()).hasToString("embed_tokens.onnx");
        assertThat(perGraph.decoder().getFileName()).hasToString("decoder_model_merged_q8.onnx");

        setTransformersJsDtype(dir, "{\"decoder_model_merged\": \"int4\"}");
        assertThatThrownBy(() -> ModelFolder.open(dir, ""))
                .isInstanceOf(ModelFolderException.class)
                .hasMessage("model folder " + dir + ": config.json: unknown dtype 'int4'; known: fp32, fp16, q8, int8, uint8, q4, q4f16, bnb4");

        // No transformers.js_config: fp32.
        setTransformersJsDtype(dir, null);
        ModelFolder plain = ModelFolder.open(dir, "");
        assertThat(plain.selection().source()).isEqualTo(DtypeSource.DEFAULT);
        assertThat(plain.decoder().getFileName()).hasToString("decoder_model_merged.onnx");
    }

    @Test
    void aBadDtypeSettingIsAFolderError() {
        assertThatThrownBy(() -> ModelFolder.open(tmp, "q3"))
                .isInstanceOf(ModelFolderException.class)
                .hasMessage("unknown dtype 'q3'; known: fp32, fp16, q8, int8, uint8, q4, q4f16, bnb4");
    }

    private static void setModelType(Path dir, String type) throws IOException {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode config = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(dir.resolve("config.json").toFile());
        config.put("model_type", type);
        json.writeValue(dir.resolve("config.json").toFile(), config);
    }

    /** Sets (or with null removes) {@code transformers.js_config.dtype} to the JSON {@code value}. */
    private static void setTransformersJsDtype(Path dir, String value) throws IOException {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode config = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(dir.resolve("config.json").toFile());
        if (value == null) {
            config.remove("transformers.js_config");
        } else {
            config.putObject("transformers.js_config").set("dtype", json.readTree(value));
        }
        json.writeValue(dir.resolve("config.json").toFile(), config);
    }

    @Test
    void generationConfigAcceptsEosListsAndDefaults() throws IOException {
        Path dir = standardFolder();
        Files.writeString(dir.resolve("generation_config.json"),
                "{\"eos_token_id\": [7, 2], \"do_sample\": true, \"temperature\": 0.1, \"min_p\": 0.15,"
                        + " \"repetition_penalty\": 1.05, \"max_new_tokens\": 512, \"top_p\": null}");
        GenerationConfig g = ModelFolder.open(dir, "fp32").generationConfig();
        assertThat(g.eosTokenIds()).containsExactly(7, 2);
        assertThat(g.doSample()).isTrue();
        assertThat(g.temperature()).isEqualTo(0.1);
        assertThat(g.minP()).isEqualTo(0.15);
        assertThat(g.repetitionPenalty()).isEqualTo(1.05);
        assertThat(g.maxNewTokens()).hasValue(512);
        assertThat(g.topP()).isEqualTo(1.0);
        assertThat(g.topK()).isEqualTo(50);
        assertThat(g.bosTokenId()).isEmpty();

        Files.delete(dir.resolve("generation_config.json"));
        assertThat(ModelFolder.open(dir, "fp32").generationConfig()).isEqualTo(GenerationConfig.DEFAULTS);
    }

    @Test
    void chatTemplateFromTokenizerConfigList() throws IOException {
        Path dir = standardFolder();
        Files.delete(dir.resolve("chat_template.jinja"));
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"chat_template\": [{\"name\": \"tool_use\", \"template\": \"T\"}, {\"name\": \"default\", \"template\": \"D\"}]}");
        Files.writeString(dir.resolve("special_tokens_map.json"), "{\"eos_token\": {\"content\": \"<|im_end|>\"}}");
        ModelFolder m = ModelFolder.open(dir, "fp32");
        assertThat(m.chatTemplate()).isEqualTo("D");
        assertThat(m.tokenizerConfig().path("eos_token").path("content").asText()).isEqualTo("<|im_end|>");
    }
}
