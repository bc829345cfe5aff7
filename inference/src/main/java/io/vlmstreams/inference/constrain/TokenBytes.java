package io.vlmstreams.inference.constrain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The bytes each token id stands for, from a byte-level BPE {@code tokenizer.json}: the model
 * vocabulary's strings are GPT-2's byte-to-character map applied to the bytes, undone here. Added
 * tokens (special ones and the rest) have no bytes here: a constrained answer never holds them.
 *
 * @param bytes per id, its bytes; null for ids that cannot appear in a constrained answer
 */
public record TokenBytes(byte[][] bytes) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads {@code tokenizer.json}; fails for a tokenizer that is not byte-level. */
    public static TokenBytes read(Path tokenizerJson) {
        try {
            return of(JSON.readTree(tokenizerJson.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + tokenizerJson + ": " + e.getMessage(), e);
        }
    }

    public static TokenBytes of(JsonNode root) {
        if (!isByteLevel(root.path("pre_tokenizer")) && !isByteLevel(root.path("decoder"))) {
            throw new IllegalArgumentException("constrained answers need a byte-level BPE tokenizer");
        }
        int[] byteOf = unicodeToByte();
        Set<Integer> added = new HashSet<>();
        int size = 0;
        for (JsonNode t : root.path("added_tokens")) {
            added.add(t.path("id").asInt());
            size = Math.max(size, t.path("id").asInt() + 1);
        }
        JsonNode vocab = root.path("model").path("vocab");
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
            size = Math.max(size, it.next().getValue().asInt() + 1);
        }
        byte[][] out = new byte[size][];
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int id = e.getValue().asInt();
            if (added.contains(id)) {
                continue;
            }
            out[id] = decode(e.getKey(), byteOf);
        }
        return new TokenBytes(out);
    }

    /** Ids, the highest defined plus one. */
    public int size() {
        return bytes.length;
    }

    private static boolean isByteLevel(JsonNode n) {
        if ("ByteLevel".equals(n.path("type").asText())) {
            return true;
        }
        for (JsonNode c : n.path("pretokenizers")) {
            if (isByteLevel(c)) {
                return true;
            }
        }
        for (JsonNode c : n.path("decoders")) {
            if (isByteLevel(c)) {
                return true;
            }
        }
        return false;
    }

    /** The token's bytes, or null when a character is outside the byte alphabet (not a byte-level token). */
    private static byte[] decode(String token, int[] byteOf) {
        byte[] b = new byte[token.length()];
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            int v = c < byteOf.length ? byteOf[c] : -1;
            if (v < 0) {
                return null;
            }
            b[i] = (byte) v;
        }
        return b.length == 0 ? null : b;
    }

    /** GPT-2's bytes_to_unicode, inverted: char -> byte, -1 for chars that are no byte. */
    static int[] unicodeToByte() {
        int[] out = new int[512];
        java.util.Arrays.fill(out, -1);
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            int c = printable ? b : 256 + extra++;
            out[c] = b;
        }
        return out;
    }
}
