package io.vlmstreams.cli.sandbox;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

import io.vlmstreams.convert.CheckpointConverter;
import io.vlmstreams.inference.model.OnnxDtype;
import io.vlmstreams.convert.Layout;
import io.vlmstreams.convert.synth.Size;
import io.vlmstreams.convert.synth.SyntheticCheckpointWriter;

/**
 * Which model the sandbox runs: the folder given, else the first model folder under
 * {@code <project>/models/}, else a tiny model with random weights written once to
 * {@code <project>/.vlm/models/tiny-synthetic} and reused.
 *
 * @param dir       the ONNX model folder
 * @param synthetic whether its weights are random (its answers are noise)
 */
public record SandboxModel(Path dir, boolean synthetic) {

    /** Seed of the synthetic model: fixed, so every sandbox run answers the same noise. */
    static final long SYNTHETIC_SEED = 1234;
    /** Written last: a folder without it is a half-written model and is written again. */
    static final String COMPLETE_MARKER = ".complete";

    /** Picks the model, writing the synthetic one if needed; says what it chose on {@code out}. */
    public static SandboxModel resolve(Optional<Path> given, Path projectDir, PrintStream out) {
        if (given.isPresent()) {
            Path dir = given.get().toAbsolutePath().normalize();
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException("--model " + dir + " is not a folder");
            }
            out.println("model: " + dir);
            return new SandboxModel(dir, false);
        }
        Optional<Path> found = firstModelUnder(projectDir.resolve("models"));
        if (found.isPresent()) {
            out.println("model: " + found.get() + " (found under ./models/)");
            return new SandboxModel(found.get(), false);
        }
        Path dir = projectDir.resolve(".vlm/models/tiny-synthetic").toAbsolutePath().normalize();
        if (!Files.exists(dir.resolve(COMPLETE_MARKER))) {
            out.println("model: writing a tiny synthetic model to " + dir + " (once) ...");
            writeSynthetic(dir);
        }
        out.println("model: " + dir);
        out.println();
        out.println("  NOTE: no model was given and none was found under ./models/, so the sandbox runs a tiny");
        out.println("  model with RANDOM weights. Its answers are noise: they show the pipeline working, not the");
        out.println("  model. For real answers download LFM2-VL (README, \"Getting real weights\"); the 4-bit graphs are");
        out.println("  about 0.6 GB (the command prints the exact size before it fetches anything):");
        out.println("    ./vlm-streams model download onnx-community/LFM2-VL-450M-ONNX --dtype q4 --out models/LFM2-VL-450M-ONNX");
        out.println("  then run ./vlm-streams sandbox --dtype q4 (it picks up ./models/ by itself) or pass --model DIR.");
        out.println();
        return new SandboxModel(dir, true);
    }

    /** The first folder (by name) under {@code models} that looks like a model: it holds onnx/ or config.json. */
    static Optional<Path> firstModelUnder(Path models) {
        if (!Files.isDirectory(models)) {
            return Optional.empty();
        }
        try (Stream<Path> children = Files.list(models)) {
            return children.filter(Files::isDirectory)
                    .filter(d -> Files.isDirectory(d.resolve("onnx")) || Files.isRegularFile(d.resolve("config.json")))
                    .sorted(Comparator.comparing(d -> d.getFileName().toString()))
                    .map(d -> d.toAbsolutePath().normalize())
                    .findFirst();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + models, e);
        }
    }

    private static void writeSynthetic(Path dir) {
        SyntheticCheckpointWriter.write(Size.TINY, SYNTHETIC_SEED, dir);
        new CheckpointConverter().convert(dir, dir, OnnxDtype.FP32, Layout.ONNX_COMMUNITY);
        try {
            Files.writeString(dir.resolve(COMPLETE_MARKER), "tiny synthetic LFM2-VL, seed " + SYNTHETIC_SEED + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(COMPLETE_MARKER), e);
        }
    }
}
