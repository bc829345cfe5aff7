package io.vlmstreams.inference.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlmstreams.inference.generate.SequenceInput;
import io.vlmstreams.inference.io.NpyArray;
import io.vlmstreams.devstack.Fixtures;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The upstream tiny LFM2-VL fixture, its reference generations, and its conversion to an ONNX folder
 * ({@code fixtures/tiny-onnx}, written by the converter and checked against it by the convert module's tests).
 */
public final class TinyModel {

    /** One line of reference_generations.jsonl. */
    public record Reference(String image, long[] promptTokenIds, long[] tokenIds) { }

    private TinyModel() { }

    public static Path checkpoint() {
        return Fixtures.tinyCheckpoint();
    }

    public static Path image(String name) {
        return Fixtures.upstream().resolve("images").resolve(name);
    }

    public static byte[] imageBytes(String name) {
        try {
            return Files.readAllBytes(image(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The checkpoint converted to the onnx-community layout, fp32. */
    public static Path onnxFolder() {
        return Fixtures.tinyOnnx();
    }

    /** A copy of {@link #onnxFolder()} under {@code dir}, for tests that change its files. */
    public static Path onnxFolderCopy(Path dir) throws IOException {
        Path from = onnxFolder();
        try (java.util.stream.Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path to = dir.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
        return dir;
    }

    public static List<Reference> references() throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<Reference> out = new ArrayList<>();
        for (String line : Files.readAllLines(checkpoint().resolve("reference_generations.jsonl"))) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode n = json.readTree(line);
            out.add(new Reference(n.get("image").asText(), longs(n.get("prompt_token_ids")), longs(n.get("token_ids"))));
        }
        return out;
    }

    /** Upstream's own prompt ids and projector features for {@code image}, from reference_tensors.npz. */
    public static SequenceInput upstreamSequence(Map<String, NpyArray> reference, String image) {
        return new SequenceInput(reference.get(image + "/input_ids").asLongs(), reference.get(image + "/image_features").asFloats());
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }
}
