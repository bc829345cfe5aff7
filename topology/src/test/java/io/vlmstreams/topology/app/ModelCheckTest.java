package io.vlmstreams.topology.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.vlmstreams.topology.it.TinyModelFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The compose file's model check: one line and exit 3 for an empty ./models or the wrong dtype, 0 for a model. */
class ModelCheckTest {

    private static final Path DEPLOY = Path.of(System.getProperty("vlm.project.dir", ".."), "deploy", "application.properties");

    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) { }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ModelCheck.check(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void anEmptyModelsFolderIsOneLineSayingWhatToDownload() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("models/LFM2-VL-450M-ONNX"));

        Run r = run("--config", DEPLOY.toString(), "model.dir=" + empty);

        assertThat(r.code()).isEqualTo(3);
        assertThat(r.err()).isEqualTo("error: no model at " + empty + " (model.dir; compose mounts ./models at /models): "
                + "download one with ./vlm-streams model download onnx-community/LFM2-VL-450M-ONNX --dtype fp32 "
                + "--out models/LFM2-VL-450M-ONNX, then start again" + System.lineSeparator());
        assertThat(run("--config", DEPLOY.toString(), "model.dir=" + tmp.resolve("absent")).code()).isEqualTo(3);
    }

    @Test
    void aModelInAnotherPrecisionIsOneLine() {
        Run r = run("--config", DEPLOY.toString(), "model.dir=" + TinyModelFolder.get(), "model.dtype=decoder_model_merged=q4");

        assertThat(r.code()).isEqualTo(3);
        assertThat(r.err().lines()).singleElement().satisfies(l -> assertThat(l)
                .startsWith("error: ").contains("no decoder_model_merged graph for dtype q4"));
    }

    @Test
    void aModelThatOpensIsReady() {
        Run r = run("--config", DEPLOY.toString(), "model.dir=" + TinyModelFolder.get());

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("model ready: ").contains("dtype fp32");
    }

    @Test
    void aSettingsMistakeIsExitTwo() {
        assertThat(run("--config", DEPLOY.toString(), "batch.max.sise=8").code()).isEqualTo(2);
    }
}
