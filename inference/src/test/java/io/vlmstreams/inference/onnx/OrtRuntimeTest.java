package io.vlmstreams.inference.onnx;

import io.vlmstreams.inference.engine.TinyModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Sessions own the options they were created with, and nothing stays open when opening fails. */
class OrtRuntimeTest {

    @TempDir
    Path temp;

    private static Path embedTokens() {
        return TinyModel.onnxFolder().resolve("onnx/embed_tokens.onnx");
    }

    @Test
    void aSessionKeepsItsOptionsOpenUntilItIsClosedThenClosesBoth() {
        OrtRuntime runtime = new OrtRuntime(RuntimeConfig.cpu().withSpinWait(false));
        OwnedSession owned = runtime.open(embedTokens());
        assertThat(runtime.openSessions()).isEqualTo(1);
        // the options the session was made with, still open while it lives
        assertThat(owned.options().getConfigEntries()).containsEntry("session.intra_op.allow_spinning", "0");
        assertThat(owned.session().getInputNames()).contains("input_ids");

        owned.close();
        assertThat(runtime.openSessions()).isZero();
        assertThatThrownBy(() -> owned.session().getInputNames()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> owned.options().getConfigEntries()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed SessionOptions");
        owned.close(); // a second close is a no-op, not ORT's "already closed" error
        assertThat(runtime.openSessions()).isZero();
    }

    @Test
    void aFileOnnxRuntimeCannotReadLeavesNoSessionOpen() throws Exception {
        OrtRuntime runtime = new OrtRuntime(RuntimeConfig.cpu());
        Path garbage = Files.write(temp.resolve("garbage.onnx"), new byte[]{1, 2, 3, 4, 5, 6, 7, 8});
        assertThatThrownBy(() -> runtime.open(garbage)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot open");
        assertThat(runtime.openSessions()).isZero();
        assertThatThrownBy(() -> runtime.open(temp.resolve("missing.onnx"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no ONNX graph");
    }

    @Test
    void aGraphOfTheWrongInterfaceIsClosedByTheSessionThatRejectsIt() {
        OrtRuntime runtime = new OrtRuntime(RuntimeConfig.cpu());
        // embed_tokens.onnx opens fine but has no inputs_embeds: the decoder must close what it opened
        assertThatThrownBy(() -> new DecoderSession(runtime, embedTokens())).isInstanceOf(OnnxModelException.class)
                .hasMessageContaining("inputs_embeds");
        assertThatThrownBy(() -> new VisionEncoderSession(runtime, embedTokens(), null)).isInstanceOf(OnnxModelException.class)
                .hasMessageContaining("pixel_values");
        assertThat(runtime.openSessions()).isZero();

        try (EmbedTokensSession embed = new EmbedTokensSession(runtime, embedTokens())) {
            assertThat(runtime.openSessions()).isEqualTo(1);
            assertThat(embed.embed(new long[]{1, 2}, 1, 2)).isNotEmpty();
        }
        assertThat(runtime.openSessions()).isZero();
    }
}
