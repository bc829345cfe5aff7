package io.vlmstreams.inference.model;

import io.vlmstreams.devstack.Fixtures;
import io.vlmstreams.inference.engine.EngineConfig;
import io.vlmstreams.inference.engine.GenerationSettings;
import io.vlmstreams.inference.engine.InferenceRequest;
import io.vlmstreams.inference.engine.LocalInferenceEngine;
import io.vlmstreams.inference.engine.Outcome;
import io.vlmstreams.inference.engine.TinyModel;
import io.vlmstreams.inference.image.ImageLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Folders laid out as users download them, made from the converted tiny model ({@code fixtures/tiny-onnx})
 * by renaming and copying its graphs: ModelFolder only looks at names, so an fp32 graph copied under
 * a q4 name stands for the q4 file, and ONNX Runtime loads and runs it.
 */
class PublishedFoldersTest {

    private static final String VISION = "vision_encoder.onnx";
    private static final String EMBED = "embed_tokens.onnx";
    private static final String DECODER = "decoder_model_merged.onnx";

    @TempDir
    Path tmp;

    /** The tiny folder's JSON files and, in onnx/, each fixture graph under the names mapped to it. */
    private Path folder(String name, Map<String, List<String>> graphs) throws IOException {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir.resolve("onnx"));
        try (Stream<Path> files = Files.list(Fixtures.tinyOnnx())) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        graphs.forEach((fixture, names) -> {
            for (String n : names) {
                copy(Fixtures.tinyOnnx().resolve("onnx").resolve(fixture), dir.resolve("onnx").resolve(n));
            }
        });
        return dir;
    }

    @Test
    void lfm25Vl16bStemsLoadAndAnswerLikeTheFixture() throws Exception {
        // LFM2.5-VL-1.6B: embed_images{,_fp16,_q4,_q8}, embed_tokens{,_fp16}, decoder{,_fp16,_q4,_q8}.
        Path dir = folder("LFM2.5-VL-1.6B-ONNX", Map.of(
                VISION, List.of("embed_images.onnx", "embed_images_fp16.onnx", "embed_images_q4.onnx", "embed_images_q8.onnx"),
                EMBED, List.of("embed_tokens.onnx", "embed_tokens_fp16.onnx"),
                DECODER, List.of("decoder.onnx", "decoder_fp16.onnx", "decoder_q4.onnx", "decoder_q8.onnx")));
        ModelFolder q4 = ModelFolder.open(dir, "q4");
        assertThat(q4.selection().summary()).isEqualTo(
                "dtype q4 (asked): embed_images_q4.onnx, embed_tokens_fp16.onnx (no q4; nearest fp16), decoder_q4.onnx");
        assertThat(q4.selection().present().describe())
                .isEqualTo("embed_images{,_fp16,_q8,_q4}, embed_tokens{,_fp16}, decoder{,_fp16,_q8,_q4}");
        assertThat(q4.traits().decoder().positionIds()).isTrue();

        assertThat(tokensOf(dir, "q4")).containsExactly(referenceTokens());
    }

    @Test
    void liquid450mQuantizedDecoderBesideFloatEmbeddings() throws Exception {
        // LFM2.5-VL-450M: vision_encoder_q4/_q8 and decoder_model_merged_q4/_q8, embed_tokens only fp32 and fp16.
        Path dir = folder("LFM2.5-VL-450M-ONNX", Map.of(
                VISION, List.of(VISION, "vision_encoder_fp16.onnx", "vision_encoder_q4.onnx", "vision_encoder_q8.onnx"),
                EMBED, List.of(EMBED),
                DECODER, List.of(DECODER, "decoder_model_merged_fp16.onnx", "decoder_model_merged_q4.onnx", "decoder_model_merged_q8.onnx")));
        // Here the half-precision embedding graph really is float16 (weights and output): the engine
        // reads it as float32 before merging the float32 image features in.
        TestGraphs.write(dir.resolve("onnx/embed_tokens_fp16.onnx"), TestGraphs.toFloat16Embedding(dir.resolve("onnx").resolve(EMBED)));

        ModelFolder q8 = ModelFolder.open(dir, "q8");
        assertThat(q8.selection().summary()).isEqualTo(
                "dtype q8 (asked): vision_encoder_q8.onnx, embed_tokens_fp16.onnx (no q8; nearest fp16), decoder_model_merged_q8.onnx");
        assertThat(q8.traits().embedTokensOutputType()).isEqualTo("float16");
        assertThat(q8.graphInfo().get(OnnxGraph.EMBED_TOKENS).output("inputs_embeds"))
                .hasValueSatisfying(t -> assertThat(t.elementType()).isEqualTo("float16"));

        // Rounding the tiny model's embeddings to half precision leaves its 12 greedy tokens as they
        // are (measured), so the mixed-precision folder must give upstream's tokens too.
        assertThat(tokensOf(dir, "q8")).containsExactly(referenceTokens());
    }

    @Test
    void theFoldersOwnDtypeIsTheDefault() throws IOException {
        Path dir = folder("own-dtype", Map.of(
                VISION, List.of(VISION, "vision_encoder_q4.onnx"), EMBED, List.of(EMBED),
                DECODER, List.of(DECODER, "decoder_model_merged_q4.onnx")));
        String config = Files.readString(dir.resolve("config.json"));
        Files.writeString(dir.resolve("config.json"), config.replace("\"dtype\" : \"fp32\"", "\"dtype\" : \"q4\""));
        ModelFolder m = ModelFolder.open(dir, "auto");
        assertThat(m.selection().summary()).isEqualTo("dtype q4 (from config.json transformers.js_config.dtype): "
                + "vision_encoder_q4.onnx, embed_tokens.onnx (no q4; nearest fp32), decoder_model_merged_q4.onnx");
    }

    @Test
    void anUpstreamCheckpointSaysHowToConvertIt() {
        Path checkpoint = Fixtures.tinyCheckpoint().toAbsolutePath().normalize();
        assertThatThrownBy(() -> ModelFolder.open(checkpoint, "fp32"))
                .isInstanceOf(ModelFolderException.class)
                .hasMessage("model folder " + checkpoint + ": an upstream checkpoint (config.json, model.safetensors), not an ONNX "
                        + "folder (no onnx/); convert it first: ./vlm-streams model convert --from " + checkpoint
                        + " --out " + checkpoint + "-onnx");
    }

    @Test
    void aPartialFolderNamesWhatIsMissing() throws IOException {
        Path dir = folder("partial", Map.of(VISION, List.of(VISION, "vision_encoder_q4.onnx"), EMBED, List.of(EMBED)));
        assertThatThrownBy(() -> ModelFolder.open(dir, "q4"))
                .isInstanceOf(ModelFolderException.class)
                .hasMessage("no decoder_model_merged graph in " + dir.resolve("onnx")
                        + " (looked for decoder_model_merged*.onnx, decoder*.onnx); present: vision_encoder{,_q4}, embed_tokens");

        Files.delete(dir.resolve("tokenizer.json"));
        assertThatThrownBy(() -> ModelFolder.open(dir, "q4")).hasMessage("model folder " + dir + ": tokenizer.json not found");
    }

    @Test
    void aGraphWhoseExternalWeightsAreMissingIsNamed() throws IOException {
        Path dir = folder("no-data", Map.of(VISION, List.of(VISION), EMBED, List.of(EMBED)));
        ai.onnx.proto.OnnxMl.ModelProto decoder = TestGraphs.liquidDecoder();
        ai.onnx.proto.OnnxMl.TensorProto external = ai.onnx.proto.OnnxMl.TensorProto.newBuilder().setName("lm_head")
                .setDataType(1).addDims(64).addDims(400)
                .setDataLocation(ai.onnx.proto.OnnxMl.TensorProto.DataLocation.EXTERNAL)
                .addExternalData(ai.onnx.proto.OnnxMl.StringStringEntryProto.newBuilder().setKey("location")
                        .setValue("decoder_model_merged.onnx_data"))
                .build();
        TestGraphs.write(dir.resolve("onnx").resolve(DECODER),
                decoder.toBuilder().setGraph(decoder.getGraph().toBuilder().addInitializer(external)).build());
        assertThatThrownBy(() -> ModelFolder.open(dir, "fp32"))
                .isInstanceOf(ModelFolderException.class)
                .hasMessage("model folder " + dir + ": onnx/decoder_model_merged.onnx keeps its weights in "
                        + "decoder_model_merged.onnx_data, which is not in onnx/ (download it with the .onnx file)");
    }

    @Test
    void liquidStyleGraphsGiveTheirTraitsThroughTheFolder() throws IOException {
        Path dir = folder("liquid-traits", Map.of(EMBED, List.of(EMBED)));
        TestGraphs.write(dir.resolve("onnx/vision_encoder_q4.onnx"), TestGraphs.liquidVision(false));
        TestGraphs.write(dir.resolve("onnx/decoder_model_merged_q4.onnx"), TestGraphs.liquidDecoder());
        GraphTraits traits = ModelFolder.open(dir, "q4").traits();
        assertThat(traits.decoder().groupQueryAttention()).isEqualTo(1);
        assertThat(traits.decoder().seqlensFromMask()).isTrue();
        assertThat(traits.vision().positionEmbeddingsPerCall()).isTrue();
        assertThat(traits.describe()).containsExactly(
                "decoder: position_ids no, num_logits_to_keep no, GroupQueryAttention 1 (seqlens_k from attention_mask yes, "
                        + "rotary inside yes), RotaryEmbedding 0, MultiHeadAttention 0, MatMulNBits 4-bit, MatMulInteger 0, "
                        + "inputs_embeds float16, caches float16, logits float32",
                "vision_encoder: position embeddings per call yes (Resize 'Resize_interp/resized' sized from spatial_shapes "
                        + "in the main graph: one grid per call), MultiHeadAttention 1, MatMulNBits 8-bit, MatMulInteger 0, features float32",
                "embed_tokens: output float32");
    }

    private static long[] referenceTokens() throws IOException {
        return TinyModel.references().get(0).tokenIds();
    }

    /** Greedy tokens for the first reference image through the engine opened on {@code dir} at {@code dtype}. */
    private static long[] tokensOf(Path dir, String dtype) throws IOException {
        TinyModel.Reference ref = TinyModel.references().get(0);
        EngineConfig config = EngineConfig.defaults(dir).withDtype(dtype)
                .withImageLimits(ImageLimits.defaults().withApplyExifOrientation(false));
        try (LocalInferenceEngine engine = LocalInferenceEngine.open(config)) {
            Outcome o = engine.runBatch(List.of(InferenceRequest.generate(ref.image(), TinyModel.imageBytes(ref.image()),
                    "Describe this image.", GenerationSettings.greedy(ref.tokenIds().length)))).get(0);
            assertThat(o).isInstanceOf(Outcome.Success.class);
            return ((Outcome.Success) o).result().tokenIds();
        }
    }

    private static void copy(Path from, Path to) {
        try {
            Files.copy(from, to);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
