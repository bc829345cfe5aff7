package io.vlmstreams.testkit.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlmstreams.inference.generate.SequenceInput;
import io.vlmstreams.inference.io.NpyArray;
import io.vlmstreams.testkit.Fixtures;
import io.vlmstreams.testkit.convert.CheckpointConverter;
import io.vlmstreams.testkit.convert.Dtype;
import io.vlmstreams.testkit.convert.Layout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The upstream tiny LFM2-VL fixture, its reference generations, and its conversion to an ONNX folder. */
final class TinyModel {

    /** One line of reference_generations.jsonl. */
    record Reference(String image, long[] promptTokenIds, long[] tokenIds) { }

    private TinyModel() { }

    static Path checkpoint() {
        return Fixtures.tinyCheckpoint();
    }

    static Path image(String name) {
        return Fixtures.upstream().resolve("images").resolve(name);
    }

    static byte[] imageBytes(String name) {
        try {
            return Files.readAllBytes(image(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Converts the checkpoint into {@code out} (onnx-community layout unless told otherwise). */
    static Path convert(Path out, Layout layout) {
        return new CheckpointConverter().convert(checkpoint(), out, Dtype.FP32, layout).folder();
    }

    static List<Reference> references() throws IOException {
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
    static SequenceInput upstreamSequence(Map<String, NpyArray> reference, String image) {
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
