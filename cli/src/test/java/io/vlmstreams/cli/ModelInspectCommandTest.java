package io.vlmstreams.cli;

import io.vlmstreams.inference.engine.TinyModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code model inspect} on the tiny model's folder, and folder mistakes as one {@code error:} line. */
class ModelInspectCommandTest {

    @TempDir
    Path tmp;

    @Test
    void printsGraphsChoiceDeclarationsOperatorsAndTraits() {
        List<String> lines = Cli.run("model", "inspect", TinyModel.onnxFolder().toString()).lines().toList();
        assertThat(lines).contains(
                "model folder " + TinyModel.onnxFolder().toAbsolutePath().normalize(),
                "dtype fp32 (from config.json transformers.js_config.dtype): vision_encoder.onnx, embed_tokens.onnx, decoder_model_merged.onnx",
                "graphs in onnx/:",
                "    pixel_values float32 [batch_size, num_patches, 768]",
                "    spatial_shapes int64 [batch_size, 2]",
                "    input_ids int64 [batch_size, sequence_length]",
                "    position_ids int64 [batch_size, sequence_length]",
                "    logits float32 [batch_size, num_logits, 400]",
                "traits:");
        assertThat(lines).anyMatch(l -> l.startsWith("config: text 4 layers (2 attention, 2 conv), hidden 64"));
        assertThat(lines).anyMatch(l -> l.startsWith("vision_encoder: onnx/vision_encoder.onnx (IR 9, opsets ai.onnx 18, "));
        assertThat(lines).anyMatch(l -> l.startsWith("decoder_model_merged: onnx/decoder_model_merged.onnx ("));
        assertThat(lines.stream().filter(l -> l.equals("  operators deciding batching: none"))).hasSize(3);
        assertThat(lines).anyMatch(l -> l.startsWith("  all operators: ") && l.contains("Conv x2"));
        assertThat(lines).anyMatch(l -> l.startsWith("  decoder: position_ids yes, num_logits_to_keep yes, GroupQueryAttention 0"));
        assertThat(lines).anyMatch(l -> l.startsWith("  vision_encoder: position embeddings per call no"));
        // Traits come last; what batching makes of them is added after them.
        assertThat(lines.indexOf("traits:")).isGreaterThan(lines.indexOf("graphs in onnx/:"));
        assertThat(lines).anyMatch(l -> l.startsWith("batching plan from the traits: decode any lengths, vision any shapes"));
        assertThat(lines).anyMatch(l -> l.startsWith("batching plan after the load-time self-check: decode any lengths")
                && l.contains("self-check passed"));
    }

    @Test
    void showsTheNearestPrecisionTakenForAGraph() throws IOException {
        Path dir = copyOfTinyFolder("liquid-450m");
        Path onnx = dir.resolve("onnx");
        Files.copy(onnx.resolve("vision_encoder.onnx"), onnx.resolve("vision_encoder_q4.onnx"));
        Files.copy(onnx.resolve("decoder_model_merged.onnx"), onnx.resolve("decoder_model_merged_q4.onnx"));
        List<String> lines = Cli.run("model", "inspect", dir.toString(), "--dtype", "q4").lines().toList();
        assertThat(lines).contains(
                "dtype q4 (asked): vision_encoder_q4.onnx, embed_tokens.onnx (no q4; nearest fp32), decoder_model_merged_q4.onnx",
                "  embed_tokens           variants: embed_tokens.onnx (fp32)",
                "                         chosen:   embed_tokens.onnx (no q4; nearest fp32)",
                "  decoder_model_merged   variants: decoder_model_merged.onnx (fp32), decoder_model_merged_q4.onnx (q4)");
    }

    @Test
    void aFolderMistakeIsOneErrorLineWithoutStackTrace() {
        Path missing = tmp.resolve("no-such-model");
        Cli.Result infer = Cli.execute("infer", "--model", missing.toString(), "--image", TinyModel.image("coins.png").toString(),
                "--prompt", "Describe this image.");
        assertThat(infer.exitCode()).isEqualTo(2);
        assertThat(infer.err().lines().toList()).containsExactly("error: model folder " + missing + ": no such directory");

        Path checkpoint = TinyModel.checkpoint().toAbsolutePath().normalize();
        Cli.Result inspect = Cli.execute("model", "inspect", checkpoint.toString());
        assertThat(inspect.exitCode()).isEqualTo(2);
        assertThat(inspect.err().lines().toList()).singleElement().asString()
                .startsWith("error: model folder " + checkpoint + ": an upstream checkpoint")
                .endsWith("convert it first: ./vlm-streams model convert --from " + checkpoint + " --out " + checkpoint + "-onnx");

        Cli.Result badDtype = Cli.execute("model", "inspect", TinyModel.onnxFolder().toString(), "--dtype", "decoder=q4");
        assertThat(badDtype.exitCode()).isEqualTo(2);
        assertThat(badDtype.err().lines().toList()).singleElement().asString()
                .startsWith("error: no decoder_model_merged graph for dtype q4 (asked for by name) in ")
                .endsWith("; present: vision_encoder, embed_tokens, decoder_model_merged");
    }

    private Path copyOfTinyFolder(String name) throws IOException {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir.resolve("onnx"));
        for (String sub : List.of("", "onnx")) {
            try (Stream<Path> files = Files.list(TinyModel.onnxFolder().resolve(sub))) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    Files.copy(f, dir.resolve(sub).resolve(f.getFileName()));
                }
            }
        }
        return dir;
    }
}
