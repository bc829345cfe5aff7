package io.vlmstreams.cli;

import io.vlmstreams.cli.hub.FakeHub;
import io.vlmstreams.inference.engine.TinyModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code model download} end to end against a local fake Hub: the folder it writes is one {@code model inspect} loads. */
class ModelDownloadCommandTest {

    @TempDir
    Path tmp;

    @Test
    void downloadsAFolderThatModelInspectLoadsAndSaysHowToRunIt() throws Exception {
        try (FakeHub hub = new FakeHub(TinyModel.onnxFolder(), Map.of())) {
            Path out = tmp.resolve("models/Tiny-VL-ONNX");
            String printed = Cli.run("model", "download", FakeHub.REPO, "--endpoint", hub.endpoint(),
                    "--cache-dir", tmp.resolve("hub").toString(), "--out", out.toString());

            assertThat(printed).contains(FakeHub.REPO + " at main (commit 0123456789ab), dtype fp32 (from config.json transformers.js_config.dtype)",
                    "  fetched  onnx/decoder_model_merged.onnx", "done: 10 files fetched",
                    "model folder: " + out, "run it: ./vlm-streams sandbox --model " + out + " --dtype fp32");
            assertThat(Cli.run("model", "inspect", out.toString())).contains("dtype fp32 (from config.json transformers.js_config.dtype)");

            String again = Cli.run("model", "download", FakeHub.REPO, "--endpoint", hub.endpoint(),
                    "--cache-dir", tmp.resolve("hub").toString());
            assertThat(again).contains("done: 0 files fetched (0.0 kB), 10 from the cache",
                    "model folder: " + tmp.resolve("hub/models--onnx-community--Tiny-VL-ONNX/snapshots/" + FakeHub.COMMIT));
        }
    }

    @Test
    void helpNamesTheOptionsAndTheEnvironment() {
        String help = Cli.run("model", "download", "--help");
        assertThat(help).contains("REPO", "--dtype", "--revision", "--out", "--cache-dir", "--endpoint",
                "HF_ENDPOINT", "HF_TOKEN", "HF_HUB_OFFLINE");
    }

    @Test
    void mistakesAreOneErrorLine() throws Exception {
        try (FakeHub hub = new FakeHub(TinyModel.onnxFolder(), Map.of())) {
            Cli.Result wrongDtype = Cli.execute("model", "download", FakeHub.REPO, "--endpoint", hub.endpoint(),
                    "--cache-dir", tmp.toString(), "--dtype", "decoder_model_merged=q4");
            assertThat(wrongDtype.exitCode()).isEqualTo(2);
            assertThat(wrongDtype.err().lines()).singleElement().satisfies(l -> assertThat(l)
                    .startsWith("error: the repository's files do not fit: no decoder_model_merged graph for dtype q4 (asked for by name)"));

            Cli.Result badEndpoint = Cli.execute("model", "download", FakeHub.REPO, "--endpoint", "ftp://x", "--cache-dir", tmp.toString());
            assertThat(badEndpoint.exitCode()).isEqualTo(2);
            assertThat(badEndpoint.err()).isEqualTo("error: endpoint 'ftp://x' is not an http(s) URL (HF_ENDPOINT or --endpoint, e.g. https://huggingface.co)"
                    + System.lineSeparator());
        }
    }
}
