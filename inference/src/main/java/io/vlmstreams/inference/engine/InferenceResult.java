package io.vlmstreams.inference.engine;

import java.util.List;

/**
 * The answer to one {@link InferenceRequest}.
 *
 * @param text            generated text (GENERATE) or the best label (CLASSIFY)
 * @param labelScores     each label's length-normalized log-probability (CLASSIFY), else empty
 * @param promptTokenIds  the expanded prompt's token ids (image tokens included)
 * @param tokenIds        generated token ids (stop token included when it ended generation)
 */
public record InferenceResult(
        String requestId,
        String text,
        List<LabelScore> labelScores,
        FinishReason finishReason,
        long[] promptTokenIds,
        int imageTokens,
        long[] tokenIds,
        StageTimings timings) {

    /** Why generation ended. */
    public enum FinishReason {
        STOP, LENGTH, CLASSIFIED,
        /** The answer ended before it matched its response format (out of tokens, or no token could continue it). */
        CONSTRAINT_INCOMPLETE
    }

    /** One candidate label and its score. */
    public record LabelScore(String label, double score) { }

    /** Milliseconds per stage; encode and decode are those of the request's batch. */
    public record StageTimings(long queuedMs, long preprocessMs, long encodeMs, long decodeMs) { }

    public int promptTokens() {
        return promptTokenIds.length;
    }

    public int generatedTokens() {
        return tokenIds.length;
    }
}
