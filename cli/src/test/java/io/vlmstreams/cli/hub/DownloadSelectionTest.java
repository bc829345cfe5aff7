package io.vlmstreams.cli.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlmstreams.inference.model.DtypeSelection;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which files of published file lists one precision needs, by the inference module's graph-name rules. */
class DownloadSelectionTest {

    private static final List<String> SUPPORT = List.of("config.json", "generation_config.json", "preprocessor_config.json",
            "processor_config.json", "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json", "chat_template.jinja");

    private static List<RepoFile> listing(String... onnx) {
        List<String> names = new java.util.ArrayList<>(SUPPORT);
        names.addAll(List.of("README.md", ".gitattributes", "images/demo.png"));
        Arrays.stream(onnx).map(n -> "onnx/" + n).forEach(names::add);
        return names.stream().map(n -> new RepoFile(n, 10, "b", n.contains(".onnx") ? Optional.of("a".repeat(64)) : Optional.empty())).toList();
    }

    private static List<String> chosen(List<RepoFile> listing, String dtype) {
        return DownloadSelection.choose(listing, DtypeSelection.parse(dtype), () -> new ObjectMapper().createObjectNode())
                .files().stream().map(RepoFile::path).filter(p -> p.startsWith("onnx/")).toList();
    }

    @Test
    void lfm25With16bNamesAndANearestFallbackForEmbedTokens() {
        List<RepoFile> files = listing("embed_images.onnx", "embed_images.onnx_data", "embed_images_fp16.onnx", "embed_images_q4.onnx",
                "embed_tokens.onnx", "embed_tokens.onnx_data", "embed_tokens_fp16.onnx", "embed_tokens_fp16.onnx_data",
                "decoder.onnx", "decoder.onnx_data", "decoder.onnx_data_1", "decoder_q4.onnx", "decoder_q4.onnx_data");

        assertThat(chosen(files, "q4")).containsExactlyInAnyOrder("onnx/embed_images_q4.onnx",
                "onnx/embed_tokens_fp16.onnx", "onnx/embed_tokens_fp16.onnx_data", "onnx/decoder_q4.onnx", "onnx/decoder_q4.onnx_data");
        assertThat(chosen(files, "fp32")).containsExactlyInAnyOrder("onnx/embed_images.onnx", "onnx/embed_images.onnx_data",
                "onnx/embed_tokens.onnx", "onnx/embed_tokens.onnx_data", "onnx/decoder.onnx", "onnx/decoder.onnx_data",
                "onnx/decoder.onnx_data_1");
    }

    @Test
    void supportFilesAreTheTopLevelConfigsAndTokenizerOnly() {
        DownloadSelection s = DownloadSelection.choose(listing("vision_encoder.onnx", "embed_tokens.onnx", "decoder_model_merged.onnx",
                "decoder_model_merged_quantized.onnx"), DtypeSelection.parse("q8"), () -> new ObjectMapper().createObjectNode());
        assertThat(s.files()).extracting(RepoFile::path).containsAll(SUPPORT)
                .doesNotContain("README.md", ".gitattributes", "images/demo.png")
                .contains("onnx/decoder_model_merged_quantized.onnx");
    }

    @Test
    void aRepositoryWithoutGraphsIsNotAnOnnxExport() {
        assertThatThrownBy(() -> DownloadSelection.choose(listing(), null, () -> new ObjectMapper().createObjectNode()))
                .isInstanceOf(HubException.class).hasMessageContaining("model convert");
    }
}
