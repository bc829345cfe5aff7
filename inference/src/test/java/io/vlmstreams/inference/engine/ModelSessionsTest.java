package io.vlmstreams.inference.engine;

import io.vlmstreams.inference.model.ModelFolder;
import io.vlmstreams.inference.onnx.OnnxModelException;
import io.vlmstreams.inference.onnx.OrtRuntime;
import io.vlmstreams.inference.onnx.RuntimeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The graphs open side by side; when one fails, the others that opened are closed, not leaked. */
class ModelSessionsTest {

    @Test
    void opensEveryGraphAndClosesThemTogether() {
        OrtRuntime runtime = new OrtRuntime(RuntimeConfig.cpu());
        ModelFolder folder = ModelFolder.open(TinyModel.onnxFolder(), "auto");
        try (ModelSessions sessions = new ModelSessions(folder, runtime)) {
            assertThat(sessions.vision).isNotNull();
            assertThat(sessions.embed).isNotNull();
            assertThat(sessions.decoder).isNotNull();
            assertThat(runtime.openSessions()).isEqualTo(3);
        }
        assertThat(runtime.openSessions()).isZero();
    }

    @Test
    void aGraphThatFailsLeavesNoOtherSessionOpen(@TempDir Path tmp) throws IOException {
        Path copy = TinyModel.onnxFolderCopy(tmp.resolve("model"));
        // a valid ONNX graph that is no decoder: its session opens, then its interface check fails
        Files.copy(copy.resolve("onnx/embed_tokens.onnx"), copy.resolve("onnx/decoder_model_merged.onnx"),
                StandardCopyOption.REPLACE_EXISTING);
        OrtRuntime runtime = new OrtRuntime(RuntimeConfig.cpu());
        ModelFolder folder = ModelFolder.open(copy, "auto");

        assertThatThrownBy(() -> new ModelSessions(folder, runtime))
                .isInstanceOf(OnnxModelException.class).hasMessageContaining("inputs_embeds");
        assertThat(runtime.openSessions()).isZero();
    }
}
