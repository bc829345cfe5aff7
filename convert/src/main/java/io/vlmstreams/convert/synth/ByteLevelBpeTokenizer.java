package io.vlmstreams.convert.synth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Generates a valid byte-level BPE {@code tokenizer.json} (HuggingFace tokenizers format, loadable
 * by the Rust library behind DJL and by transformers.js) of any vocabulary size with LFM2-VL's
 * special tokens at their real ids: {@code <|pad|>} 0, {@code <|startoftext|>} 1,
 * {@code <|endoftext|>} 2, {@code <|im_start|>} 6, {@code <|im_end|>} 7, {@code <image>} 396,
 * {@code <|img_row_R_col_C|>} 397 + (R-1)*10 + (C-1), {@code <|img_thumbnail|>} 497,
 * {@code <|image_start|>} 498, {@code <|image_end|>} 499; the other ids below 500 are reserved
 * specials. Then the 256 byte symbols, then merges: first ones that build common English words,
 * then filler pairs of byte symbols until the vocabulary is full. Deterministic: no randomness.
 */
final class ByteLevelBpeTokenizer {

    /** First id after the special tokens. */
    static final int FIRST_BYTE_ID = 500;

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String[] WORDS = {
        "the", "of", "and", "to", "in", "is", "a", "that", "for", "it", "with", "as", "on", "this", "are", "be",
        "image", "picture", "photo", "describe", "Describe", "What", "what", "there", "shows", "showing", "person",
        "people", "man", "woman", "car", "street", "tree", "trees", "sky", "blue", "red", "green", "white", "black",
        "yes", "no", "Yes", "No", "answer", "Answer", "question", "text", "object", "objects", "background",
        "front", "left", "right", "top", "bottom", "small", "large", "two", "one", "three", "cat", "dog", "water",
        "building", "road", "sign", "light", "color", "colors", "The", "This", "It", "In", "A", "an", "at", "by",
        "from", "has", "have", "its", "or", "not", "can", "which", "some", "several", "standing", "sitting",
        "system", "user", "assistant", "You", "you", "helpful", "multimodal", "safe", "unsafe", "label", "category"
    };

    private ByteLevelBpeTokenizer() {
    }

    /** Special tokens by id, below {@link #FIRST_BYTE_ID}. */
    static Map<Integer, String> specialTokens() {
        Map<Integer, String> s = new LinkedHashMap<>();
        s.put(0, "<|pad|>");
        s.put(1, "<|startoftext|>");
        s.put(2, "<|endoftext|>");
        s.put(3, "<|fim_pre|>");
        s.put(4, "<|fim_mid|>");
        s.put(5, "<|fim_suf|>");
        s.put(6, "<|im_start|>");
        s.put(7, "<|im_end|>");
        for (int id = 8; id < 396; id++) {
            s.put(id, "<|reserved_" + (id - 8) + "|>");
        }
        s.put(396, "<image>");
        for (int r = 1; r <= 10; r++) {
            for (int c = 1; c <= 10; c++) {
                s.put(397 + (r - 1) * 10 + (c - 1), "<|img_row_" + r + "_col_" + c + "|>");
            }
        }
        s.put(497, "<|img_thumbnail|>");
        s.put(498, "<|image_start|>");
        s.put(499, "<|image_end|>");
        return s;
    }

    /** The tokenizer.json document for a vocabulary of {@code vocabSize} tokens. */
    static ObjectNode build(int vocabSize) {
        if (vocabSize < FIRST_BYTE_ID + 256) {
            throw new IllegalArgumentException("vocabulary must hold the specials and 256 bytes: " + vocabSize);
        }
        Map<String, Integer> vocab = new LinkedHashMap<>();
        Map<Integer, String> specials = specialTokens();
        specials.forEach((id, text) -> vocab.put(text, id));
        String[] byteSymbol = byteSymbols();
        // the 256 symbols in code-point order, as tokenizers' trainers list them
        List<String> alphabet = new ArrayList<>(List.of(byteSymbol));
        alphabet.sort(Comparator.comparingInt(sym -> sym.codePointAt(0)));
        for (String sym : alphabet) {
            vocab.put(sym, vocab.size());
        }
        List<String[]> merges = new ArrayList<>();
        for (String word : WORDS) {
            for (String w : new String[] {word, byteSymbol[' '] + word}) {
                String prefix = byteLevel(w.substring(0, 1), byteSymbol);
                for (int i = 1; i < w.length() && vocab.size() < vocabSize; i++) {
                    String next = byteLevel(w.substring(i, i + 1), byteSymbol);
                    addMerge(prefix, next, vocab, merges);
                    prefix = prefix + next;
                }
            }
        }
        List<String> order = fillerOrder(alphabet, byteSymbol);
        outer:
        for (String a : order) {
            for (String b : order) {
                if (vocab.size() >= vocabSize) {
                    break outer;
                }
                addMerge(a, b, vocab, merges);
            }
        }
        if (vocab.size() != vocabSize) {
            throw new IllegalStateException("could only reach " + vocab.size() + " tokens");
        }
        return document(vocab, merges, specials);
    }

    private static void addMerge(String a, String b, Map<String, Integer> vocab, List<String[]> merges) {
        if (!vocab.containsKey(a + b)) {
            vocab.put(a + b, vocab.size());
            merges.add(new String[] {a, b});
        }
    }

    /** Filler symbols in a useful order: space-marker, lowercase, uppercase, digits, the rest. */
    private static List<String> fillerOrder(List<String> alphabet, String[] byteSymbol) {
        List<String> order = new ArrayList<>();
        order.add(byteSymbol[' ']);
        for (char c = 'a'; c <= 'z'; c++) {
            order.add(String.valueOf(c));
        }
        for (char c = 'A'; c <= 'Z'; c++) {
            order.add(String.valueOf(c));
        }
        for (char c = '0'; c <= '9'; c++) {
            order.add(String.valueOf(c));
        }
        for (String s : alphabet) {
            if (!order.contains(s)) {
                order.add(s);
            }
        }
        return order;
    }

    private static ObjectNode document(Map<String, Integer> vocab, List<String[]> merges, Map<Integer, String> specials) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        specials.forEach((id, text) -> {
            ObjectNode t = added.addObject();
            t.put("id", id);
            t.put("content", text);
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        });
        root.putNull("normalizer");
        root.set("pre_tokenizer", byteLevel(false));
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        post.putArray("single").addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        ArrayNode pair = post.putArray("pair");
        pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        post.putObject("special_tokens");
        root.set("decoder", byteLevel(true));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode v = model.putObject("vocab");
        vocab.forEach(v::put);
        ArrayNode m = model.putArray("merges");
        for (String[] pairOf : merges) {
            m.addArray().add(pairOf[0]).add(pairOf[1]);
        }
        return root;
    }

    private static ObjectNode byteLevel(boolean prefixSpace) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "ByteLevel");
        n.put("add_prefix_space", prefixSpace);
        n.put("trim_offsets", true);
        n.put("use_regex", true);
        return n;
    }

    private static String byteLevel(String text, String[] byteSymbol) {
        StringBuilder sb = new StringBuilder();
        for (byte b : text.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            sb.append(byteSymbol[b & 0xff]);
        }
        return sb.toString();
    }

    /** GPT-2's byte-to-symbol table: printable bytes map to themselves, the rest to U+0100 onwards. */
    static String[] byteSymbols() {
        String[] out = new String[256];
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            out[b] = new String(Character.toChars(printable ? b : 256 + extra++));
        }
        return out;
    }
}
