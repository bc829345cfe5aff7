package io.vlmstreams.inference.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlmstreams.devstack.Fixtures;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The upstream reference generations of the tiny model and the golden expansions, for tests. */
final class ReferenceRecords {

    /** One line of reference_generations.jsonl. */
    record Generation(String image, String promptText, long[] promptTokenIds) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private ReferenceRecords() {
    }

    static List<Generation> generations() {
        List<Generation> out = new ArrayList<>();
        for (JsonNode r : lines(Fixtures.tinyCheckpoint().resolve("reference_generations.jsonl"))) {
            JsonNode ids = r.path("prompt_token_ids");
            long[] prompt = new long[ids.size()];
            for (int i = 0; i < prompt.length; i++) {
                prompt[i] = ids.get(i).asLong();
            }
            out.add(new Generation(r.path("image").asText(), r.path("prompt_text").asText(), prompt));
        }
        return out;
    }

    /**
     * golden-dev.jsonl's expansion of each image as the special-token string the processor writes:
     * its "expanded" field lists space-separated tokens up to {@code <|image_end|>}, with runs as
     * {@code <image>x256}.
     */
    static Map<String, String> goldenExpansions() {
        Map<String, String> out = new HashMap<>();
        for (JsonNode r : lines(Fixtures.dir().resolve("upstream/preprocess/golden-dev.jsonl"))) {
            StringBuilder b = new StringBuilder();
            for (String token : r.path("expanded").asText().split(" ")) {
                int x = token.lastIndexOf('x');
                if (token.startsWith("<") && x > token.lastIndexOf('>')) {
                    b.append(token.substring(0, x).repeat(Integer.parseInt(token.substring(x + 1))));
                } else {
                    b.append(token);
                }
                if (token.equals("<|image_end|>")) {
                    break;
                }
            }
            out.put(r.path("image").asText(), b.toString());
        }
        return out;
    }

    private static List<JsonNode> lines(Path file) {
        try {
            List<JsonNode> out = new ArrayList<>();
            for (String line : Files.readAllLines(file)) {
                if (!line.isBlank()) {
                    out.add(JSON.readTree(line));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
