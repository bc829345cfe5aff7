package io.vlmstreams.inference.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The token-to-id table of a Hugging Face {@code tokenizer.json}: the model vocabulary (tokens as
 * written there, e.g. byte-level {@code Ġthe}) and the added tokens, which win on a clash as they do
 * in the tokenizers library. The native tokenizer does not expose lookups, so this reads the JSON.
 */
public record TokenizerVocabulary(Map<String, Integer> ids, Set<String> specialTokens, int size) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public TokenizerVocabulary {
        // Not Map.copyOf: its open-addressing table probes linearly, and byte-level BPE tokens' string
        // hashes cluster so badly that copying 65,536 of them took ~3 s of start-up (measured); HashMap
        // spreads the hashes and bins collisions.
        ids = java.util.Collections.unmodifiableMap(new HashMap<>(ids));
        specialTokens = Set.copyOf(specialTokens);
    }

    /** Reads {@code tokenizer.json}; errors name the file. */
    public static TokenizerVocabulary read(Path tokenizerJson) {
        JsonNode root;
        try {
            root = JSON.readTree(tokenizerJson.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + tokenizerJson + ": " + e.getMessage(), e);
        }
        Map<String, Integer> ids = new HashMap<>();
        JsonNode vocab = root.path("model").path("vocab");
        if (vocab.isObject()) {
            // BPE, WordPiece, WordLevel: {token: id}
            vocab.fields().forEachRemaining(f -> ids.put(f.getKey(), f.getValue().asInt()));
        } else if (vocab.isArray()) {
            // Unigram: [[piece, score], ...], the id is the position
            for (int i = 0; i < vocab.size(); i++) {
                ids.put(vocab.get(i).get(0).asText(), i);
            }
        } else {
            throw new IllegalArgumentException(tokenizerJson + ": no model.vocab");
        }
        Set<String> special = new HashSet<>();
        for (JsonNode t : root.path("added_tokens")) {
            String content = t.path("content").asText();
            ids.put(content, t.path("id").asInt());
            if (t.path("special").asBoolean(false)) {
                special.add(content);
            }
        }
        int size = ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        return new TokenizerVocabulary(ids, special, size);
    }

    /** The id of {@code token} as written in the vocabulary, if present. */
    public OptionalInt find(String token) {
        Integer id = ids.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** The token ids of all added tokens marked special. */
    public Set<Integer> specialTokenIds() {
        Set<Integer> out = new HashSet<>();
        specialTokens.forEach(t -> out.add(ids.get(t)));
        return out;
    }
}
