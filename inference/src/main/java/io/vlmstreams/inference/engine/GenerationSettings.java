package io.vlmstreams.inference.engine;

/**
 * Decoding settings of one request. {@code temperature == 0} means greedy. Sampling draws from a
 * generator seeded with {@code seed}, so the same request always gives the same tokens.
 */
public record GenerationSettings(
        int maxNewTokens,
        double temperature,
        int topK,
        double topP,
        double minP,
        double repetitionPenalty,
        long seed) {

    /** The model card's recommendation: temperature 0.1, min_p 0.15, repetition_penalty 1.05. */
    public static GenerationSettings recommended(int maxNewTokens, long seed) {
        return new GenerationSettings(maxNewTokens, 0.1, 0, 1.0, 0.15, 1.05, seed);
    }

    /** Greedy decoding (argmax), no penalties. */
    public static GenerationSettings greedy(int maxNewTokens) {
        return new GenerationSettings(maxNewTokens, 0.0, 0, 1.0, 0.0, 1.0, 0L);
    }

    public GenerationSettings {
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("max_new_tokens must be >= 1, got " + maxNewTokens);
        }
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must be >= 0, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        }
        if (!(minP >= 0 && minP < 1)) {
            throw new IllegalArgumentException("min_p must be in [0, 1), got " + minP);
        }
        if (!(repetitionPenalty > 0) || Double.isInfinite(repetitionPenalty)) {
            throw new IllegalArgumentException("repetition_penalty must be > 0, got " + repetitionPenalty);
        }
    }

    public boolean greedyDecoding() {
        return temperature == 0.0;
    }
}
