package io.vlmstreams.inference.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.vlmstreams.inference.model.GenerationConfig;
import io.vlmstreams.inference.model.Lfm2VlConfig;
import io.vlmstreams.inference.model.ModelFolder;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The special tokens of an LFM2-VL folder, read from its tokenizer files, {@code config.json} and
 * {@code generation_config.json} (never hard-coded: the ids differ between checkpoints).
 *
 * @param imageToken     the placeholder token of one image feature row, {@code <image>}
 * @param imageTokenId   its id; equals {@code config.json}'s {@code image_token_id}
 * @param tileTokenIds   {@code <|img_row_R_col_C|>} token -> id, for every such token in the vocabulary
 * @param bosToken       the template's {@code bos_token}, e.g. {@code <|startoftext|>}
 * @param eosToken       the template's {@code eos_token}, e.g. {@code <|im_end|>}
 * @param stopTokenIds   generation stops at any of these: {@code generation_config.json}'s
 *                       {@code eos_token_id} (int or list), then the tokenizer's eos token
 */
public record SpecialTokens(
        String imageToken,
        int imageTokenId,
        int imageStartId,
        int imageEndId,
        int thumbnailId,
        Map<String, Integer> tileTokenIds,
        String bosToken,
        int bosTokenId,
        String eosToken,
        List<Integer> stopTokenIds,
        int padTokenId) {

    public static final String IMAGE_START = "<|image_start|>";
    public static final String IMAGE_END = "<|image_end|>";
    public static final String THUMBNAIL = "<|img_thumbnail|>";
    private static final Pattern TILE = Pattern.compile("<\\|img_row_(\\d+)_col_(\\d+)\\|>");

    public SpecialTokens {
        tileTokenIds = Map.copyOf(tileTokenIds);
        stopTokenIds = List.copyOf(stopTokenIds);
    }

    /** Reads the special tokens of {@code folder}, its tokenizer vocabulary given. */
    public static SpecialTokens read(ModelFolder folder, TokenizerVocabulary vocabulary) {
        return from(vocabulary, folder.tokenizerConfig(), folder.config(), folder.generationConfig(),
                "model folder " + folder.dir());
    }

    /** Reads the special tokens from the parsed files; {@code origin} names the folder in errors. */
    public static SpecialTokens from(TokenizerVocabulary vocab, JsonNode tokenizerConfig, Lfm2VlConfig config,
                                     GenerationConfig generation, String origin) {
        Lookup l = new Lookup(vocab, origin);
        String imageToken = tokenText(tokenizerConfig.path("image_token"));
        if (imageToken == null) {
            imageToken = tokenText(tokenizerConfig.path("extra_special_tokens").path("image_token"));
        }
        if (imageToken == null) {
            imageToken = "<image>";
        }
        int imageId = l.id(imageToken);
        if (imageId != config.imageTokenId()) {
            throw new IllegalArgumentException(origin + ": image token " + imageToken + " has id " + imageId
                    + " in tokenizer.json but config.json image_token_id is " + config.imageTokenId());
        }

        Map<String, Integer> tiles = new TreeMap<>();
        vocab.ids().forEach((token, id) -> {
            if (TILE.matcher(token).matches()) {
                tiles.put(token, id);
            }
        });

        String bos = tokenText(tokenizerConfig.path("bos_token"));
        int bosId = bos != null ? l.id(bos)
                : generation.bosTokenId().orElse(config.text().bosTokenId());
        if (bos == null) {
            bos = l.token(bosId, "bos");
        }

        List<Integer> stops = new ArrayList<>(generation.eosTokenIds());
        String eos = tokenText(tokenizerConfig.path("eos_token"));
        if (eos != null) {
            int eosId = l.id(eos);
            if (!stops.contains(eosId)) {
                stops.add(eosId);
            }
        }
        if (stops.isEmpty()) {
            stops.add(config.text().eosTokenId());
        }
        if (eos == null) {
            eos = l.token(stops.get(0), "eos");
        }
        for (int id : stops) {
            l.token(id, "eos");
        }

        String pad = tokenText(tokenizerConfig.path("pad_token"));
        int padId = pad != null ? l.id(pad) : generation.padTokenId().orElse(config.text().padTokenId());

        return new SpecialTokens(imageToken, imageId, l.id(IMAGE_START), l.id(IMAGE_END), l.id(THUMBNAIL),
                tiles, bos, bosId, eos, stops, padId);
    }

    /** The id of {@code <|img_row_R_col_C|>} (1-based row and column, from the top left). */
    public OptionalInt tileTokenId(int row, int col) {
        Integer id = tileTokenIds.get("<|img_row_" + row + "_col_" + col + "|>");
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** True for the ids at which generation stops. */
    public boolean isStop(long id) {
        return id >= Integer.MIN_VALUE && id <= Integer.MAX_VALUE && stopTokenIds.contains((int) id);
    }

    /** A token given as a string or as an AddedToken object {@code {"content": ...}}; null when absent. */
    private static String tokenText(JsonNode node) {
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isObject() && node.path("content").isTextual()) {
            return node.path("content").asText();
        }
        return null;
    }

    /** Vocabulary lookups whose errors name the folder. */
    private record Lookup(TokenizerVocabulary vocab, String origin) {
        int id(String token) {
            return vocab.find(token).orElseThrow(() -> new IllegalArgumentException(
                    origin + ": token " + token + " is not in tokenizer.json"));
        }

        String token(int id, String role) {
            return vocab.ids().entrySet().stream().filter(e -> e.getValue() == id).map(Map.Entry::getKey)
                    .findFirst().orElseThrow(() -> new IllegalArgumentException(
                            origin + ": " + role + " token id " + id + " is not in tokenizer.json"));
        }
    }
}
