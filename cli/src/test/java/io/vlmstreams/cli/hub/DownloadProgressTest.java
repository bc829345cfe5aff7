package io.vlmstreams.cli.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The terminal bar redraws one line in place and ends with the plain line; captured output gets plain lines only. */
class DownloadProgressTest {

    private static final RepoFile FILE = new RepoFile("onnx/decoder_model_merged_q4.onnx", 2_000_000, "b", Optional.of("a".repeat(64)));

    @Test
    void onATerminalABarIsRedrawnThenReplacedByTheFileLine() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DownloadProgress bar = DownloadProgress.to(new PrintStream(bytes, true, StandardCharsets.UTF_8), true);

        bar.start(FILE, 500_000);
        bar.advance(1_500_000);
        bar.done(FILE, "resumed");

        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("\r\033[2K  onnx/decoder_model_merged_q4.onnx [######..................]  25%  0.5 MB/2.0 MB")
                .contains("[########################] 100%  2.0 MB/2.0 MB")
                .endsWith("\r\033[2K  resumed  onnx/decoder_model_merged_q4.onnx  2.0 MB" + System.lineSeparator());
    }

    @Test
    void capturedOutputIsOneLinePerFile() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DownloadProgress lines = DownloadProgress.to(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);

        lines.start(FILE, 0);
        lines.advance(2_000_000);
        lines.done(FILE, "fetched");

        assertThat(bytes.toString(StandardCharsets.UTF_8))
                .isEqualTo("  fetched  onnx/decoder_model_merged_q4.onnx  2.0 MB" + System.lineSeparator());
    }
}
