package io.vlmstreams.convert;

import io.vlmstreams.inference.model.OnnxDtype;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlmstreams.devstack.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class CheckpointConverterTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path TINY = Fixtures.tinyCheckpoint();

    @Test
    void tinyReferenceBecomesAnOnnxCommunityFolder(@TempDir Path out) throws Exception {
        CheckpointConverter.Result r = new CheckpointConverter().convert(TINY, out, OnnxDtype.FP32, Layout.ONNX_COMMUNITY);

        assertThat(r.graphs()).extracting(g -> out.relativize(g.onnxFile()).toString())
                .containsExactly("onnx/vision_encoder.onnx", "onnx/embed_tokens.onnx", "onnx/decoder_model_merged.onnx");
        assertThat(r.graphs()).noneMatch(OnnxModelFiles.SavedModel::hasExternalData);
        for (String f : new String[] {"config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json",
                "chat_template.jinja", "processor_config.json", "preprocessor_config.json"}) {
            assertThat(out.resolve(f)).as(f).isRegularFile();
        }
        assertThat(out.resolve("tokenizer.json")).hasSameBinaryContentAs(TINY.resolve("tokenizer.json"));
        assertThat(out.resolve("chat_template.jinja")).hasSameTextualContentAs(TINY.resolve("chat_template.jinja"));
        JsonNode tokenizerConfig = JSON.readTree(out.resolve("tokenizer_config.json").toFile());
        assertThat(tokenizerConfig.path("chat_template").asText()).isEqualTo(Files.readString(TINY.resolve("chat_template.jinja")));
        JsonNode pre = JSON.readTree(out.resolve("preprocessor_config.json").toFile());
        assertThat(pre.path("image_processor_type").asText()).isEqualTo("Lfm2VlImageProcessor");
        assertThat(pre.path("max_image_tokens").asInt()).isEqualTo(256);
        JsonNode config = JSON.readTree(out.resolve("config.json").toFile());
        assertThat(config.path("image_token_id").asInt()).isEqualTo(5);
        assertThat(config.path("transformers.js_config").has("use_external_data_format")).isFalse();
        assertThat(config.path("transformers.js_config").path("dtype").asText()).isEqualTo("fp32");

        try (OrtSession s = session(out.resolve("onnx/vision_encoder.onnx"))) {
            assertThat(s.getInputNames()).contains("pixel_values", "pixel_attention_mask", "spatial_shapes");
            assertThat(s.getOutputNames()).containsExactly("image_features");
        }
        try (OrtSession s = session(out.resolve("onnx/decoder_model_merged.onnx"))) {
            assertThat(s.getInputNames()).contains("inputs_embeds", "attention_mask", "num_logits_to_keep", "past_conv.0",
                    "past_key_values.1.key", "past_key_values.3.value");
            assertThat(keepIsInt64Scalar(s)).isTrue();
            assertThat(s.getOutputNames()).contains("logits", "present_conv.2", "present.3.key");
        }
    }

    @Test
    void splitLayoutAddsTheProjectorAndEndsTheEncoderBeforeIt(@TempDir Path out) throws Exception {
        new CheckpointConverter().convert(TINY, out, OnnxDtype.FP32, Layout.SPLIT);
        assertThat(out.resolve("onnx/projector.onnx")).isRegularFile();
        try (OrtSession encoder = session(out.resolve("onnx/vision_encoder.onnx"));
             OrtSession projector = session(out.resolve("onnx/projector.onnx"))) {
            assertThat(lastDim(encoder.getOutputInfo().values().iterator().next())).isEqualTo(64);   // vision hidden
            assertThat(lastDim(projector.getOutputInfo().values().iterator().next())).isEqualTo(64); // text hidden
        }
        try (OrtSession decoder = session(out.resolve("onnx/decoder_model_merged.onnx"))) {
            assertThat(keepIsInt64Scalar(decoder)).isTrue();
        }

        new CheckpointConverter().convert(TINY, out, OnnxDtype.FP32, Layout.ONNX_COMMUNITY);
        assertThat(out.resolve("onnx/projector.onnx")).doesNotExist();
    }

    @Test
    void fp16WithExternalDataKeepsFloatInterfaceAndCloseEmbeddings(@TempDir Path tmp) throws Exception {
        Path fp32 = tmp.resolve("fp32");
        Path fp16 = tmp.resolve("fp16");
        new CheckpointConverter().convert(TINY, fp32, OnnxDtype.FP32, Layout.ONNX_COMMUNITY);
        CheckpointConverter.Result half = new CheckpointConverter(0).convert(TINY, fp16, OnnxDtype.FP16, Layout.ONNX_COMMUNITY);

        assertThat(half.graphs()).allMatch(OnnxModelFiles.SavedModel::hasExternalData);
        assertThat(fp16.resolve("onnx/decoder_model_merged_fp16.onnx_data")).isRegularFile();
        JsonNode js = JSON.readTree(fp16.resolve("config.json").toFile()).path("transformers.js_config");
        assertThat(js.path("dtype").asText()).isEqualTo("fp16");
        assertThat(js.path("use_external_data_format").path("decoder_model_merged_fp16.onnx").asInt()).isEqualTo(1);
        assertThat(js.path("use_external_data_format").path("embed_tokens_fp16.onnx").asInt()).isEqualTo(1);
        long fullBytes = Files.size(fp32.resolve("onnx/decoder_model_merged.onnx"));
        long halfBytes = Files.size(fp16.resolve("onnx/decoder_model_merged_fp16.onnx"))
                + Files.size(fp16.resolve("onnx/decoder_model_merged_fp16.onnx_data"));
        assertThat(halfBytes).isLessThan(fullBytes * 3 / 4);
        try (OrtSession decoder = session(fp16.resolve("onnx/decoder_model_merged_fp16.onnx"))) {
            assertThat(keepIsInt64Scalar(decoder)).isTrue();
        }

        float[][][] a = embed(fp32.resolve("onnx/embed_tokens.onnx"));
        float[][][] b = embed(fp16.resolve("onnx/embed_tokens_fp16.onnx"));
        for (int i = 0; i < a[0].length; i++) {
            for (int j = 0; j < a[0][i].length; j++) {
                assertThat(b[0][i][j]).isCloseTo(a[0][i][j], within(Math.abs(a[0][i][j]) * 1e-3f + 1e-4f));
            }
        }
    }

    @Test
    void missingFilesAreNamed(@TempDir Path tmp) throws Exception {
        Path copy = tmp.resolve("ckpt");
        Files.createDirectories(copy);
        for (String f : new String[] {"config.json", "model.safetensors", "tokenizer_config.json", "processor_config.json"}) {
            Files.copy(TINY.resolve(f), copy.resolve(f));
        }
        assertThatThrownBy(() -> new CheckpointConverter().convert(copy, tmp.resolve("out"), OnnxDtype.FP32, Layout.SPLIT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing tokenizer.json");
        Files.copy(TINY.resolve("tokenizer.json"), copy.resolve("tokenizer.json"));
        assertThatThrownBy(() -> new CheckpointConverter().convert(copy, tmp.resolve("out"), OnnxDtype.FP32, Layout.SPLIT))
                .hasMessageContaining("missing chat_template.jinja");
        Files.delete(copy.resolve("model.safetensors"));
        assertThatThrownBy(() -> new CheckpointConverter().convert(copy, tmp.resolve("out"), OnnxDtype.FP32, Layout.SPLIT))
                .hasMessageContaining("missing model.safetensors");
    }

    private static OrtSession session(Path file) throws Exception {
        return OrtEnvironment.getEnvironment().createSession(file.toString(), new OrtSession.SessionOptions());
    }

    /** The decoder declares num_logits_to_keep as transformers' exports do: an int64 of rank 0. */
    private static boolean keepIsInt64Scalar(OrtSession decoder) throws Exception {
        NodeInfo keep = decoder.getInputInfo().get("num_logits_to_keep");
        ai.onnxruntime.TensorInfo info = (ai.onnxruntime.TensorInfo) keep.getInfo();
        return info.type == ai.onnxruntime.OnnxJavaType.INT64 && info.getShape().length == 0;
    }

    private static long lastDim(NodeInfo info) {
        long[] shape = ((ai.onnxruntime.TensorInfo) info.getInfo()).getShape();
        return shape[shape.length - 1];
    }

    private static float[][][] embed(Path file) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = session(file);
             OnnxTensor ids = OnnxTensor.createTensor(env, new long[][] {{1, 3, 5, 200, 399, 0}});
             OrtSession.Result r = s.run(Map.of("input_ids", ids))) {
            return (float[][][]) r.get(0).getValue();
        }
    }
}
