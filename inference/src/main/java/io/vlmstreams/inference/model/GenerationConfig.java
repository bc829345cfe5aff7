package io.vlmstreams.inference.model;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * A folder's {@code generation_config.json}: the token ids generation needs and the model's
 * decoding defaults. Absent keys take transformers' {@code GenerationConfig} defaults (greedy,
 * temperature 1, top_k 50, top_p 1, no min_p, no repetition penalty); {@code minP} 0 means off.
 */
public record GenerationConfig(
        List<Integer> eosTokenIds,
        OptionalInt bosTokenId,
        OptionalInt padTokenId,
        boolean doSample,
        double temperature,
        int topK,
        double topP,
        double minP,
        double repetitionPenalty,
        OptionalInt maxNewTokens) {

    /** The settings of a folder without {@code generation_config.json}. */
    public static final GenerationConfig DEFAULTS = new GenerationConfig(
            List.of(), OptionalInt.empty(), OptionalInt.empty(), false, 1.0, 50, 1.0, 0.0, 1.0, OptionalInt.empty());

    public GenerationConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
    }

    /** Reads the parsed file; {@code origin} names it in errors. {@code eos_token_id} may be an int or a list. */
    public static GenerationConfig fromJson(JsonNode root, String origin) {
        List<Integer> eos = new ArrayList<>();
        JsonNode e = root.path("eos_token_id");
        if (e.isArray()) {
            e.forEach(id -> eos.add(tokenId(id, origin, "eos_token_id")));
        } else if (!e.isMissingNode() && !e.isNull()) {
            eos.add(tokenId(e, origin, "eos_token_id"));
        }
        return new GenerationConfig(
                eos,
                optionalId(root, "bos_token_id", origin),
                optionalId(root, "pad_token_id", origin),
                root.path("do_sample").asBoolean(DEFAULTS.doSample),
                number(root, "temperature", DEFAULTS.temperature),
                (int) number(root, "top_k", DEFAULTS.topK),
                number(root, "top_p", DEFAULTS.topP),
                number(root, "min_p", DEFAULTS.minP),
                number(root, "repetition_penalty", DEFAULTS.repetitionPenalty),
                optionalId(root, "max_new_tokens", origin));
    }

    private static OptionalInt optionalId(JsonNode root, String key, String origin) {
        JsonNode v = root.path(key);
        return v.isMissingNode() || v.isNull() ? OptionalInt.empty() : OptionalInt.of(tokenId(v, origin, key));
    }

    private static int tokenId(JsonNode v, String origin, String key) {
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 0) {
            throw new IllegalArgumentException(origin + ": '" + key + "' must be a non-negative integer, got " + v);
        }
        return v.asInt();
    }

    private static double number(JsonNode root, String key, double dflt) {
        JsonNode v = root.path(key);
        // null in the file means "unset" in transformers, i.e. the default.
        return v.isNumber() ? v.asDouble() : dflt;
    }
}
