package io.vlmstreams.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@code --layout liquid}, {@code --stems} and {@code --rotary} options of {@code model convert} and {@code model synth}. */
class ModelConvertLayoutOptionsTest {

    private static final Path TINY = io.vlmstreams.devstack.Fixtures.tinyCheckpoint();

    @Test
    void liquidLayoutWithTheLfm25Vl16bStems(@TempDir Path out) throws IOException {
        String printed = Cli.run("model", "convert", "--from", TINY.toString(), "--out", out.toString(),
                "--layout", "liquid", "--stems", "embed_images,embed_tokens,decoder", "--rotary", "embedding");

        assertThat(printed).contains("onnx/embed_images.onnx", "onnx/embed_tokens.onnx", "onnx/decoder.onnx");
        try (Stream<Path> files = Files.list(out.resolve("onnx"))) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("embed_images.onnx", "embed_tokens.onnx", "decoder.onnx");
        }
    }

    @Test
    void rotaryOutsideTheLiquidLayoutIsAShortError(@TempDir Path out) {
        Cli.Result r = Cli.execute("model", "convert", "--from", TINY.toString(), "--out", out.toString(),
                "--rotary", "embedding");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("error: --rotary applies to --layout liquid only, not onnx-community");
        assertThat(out.resolve("onnx")).doesNotExist();
    }

    @Test
    void synthChecksTheLayoutOptionsBeforeWritingTheCheckpoint(@TempDir Path out) {
        Cli.Result r = Cli.execute("model", "synth", "--size", "tiny", "--out", out.toString(), "--layout", "split",
                "--rotary", "gqa");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("error: --rotary applies to --layout liquid only, not split");
        assertThat(out.resolve("model.safetensors")).doesNotExist();
    }

    @Test
    void aStemOfAnotherGraphIsRejectedWithoutAStackTrace(@TempDir Path out) {
        Cli.Result r = Cli.execute("model", "convert", "--from", TINY.toString(), "--out", out.toString(),
                "--layout", "liquid", "--stems", "decoder,embed_tokens,embed_images");

        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err()).contains("'decoder' is not a stem of the vision_encoder graph").doesNotContain("\tat ");
    }
}
