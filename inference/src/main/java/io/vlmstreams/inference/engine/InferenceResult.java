package io.vlmstreams.inference.engine;

import java.util.List;

/**
 * The answer to one {@link InferenceRequest}.
 *
 * @param text            generated text (GENERATE) or the best label (CLASSIFY)
 * @param labelScores     each label's length-normalized log-probability (CLASSIFY), else empty
 * @param promptTokenIds  the expanded prompt's token ids (image tokens included)
 * @param tokenIds        generated token ids (stop token included when it ended generation)
 * @param policyScores    MODERATE: every policy's P(yes), threshold and verdict; else empty
 * @param flagged         MODERATE: whether any policy is flagged
 * @param scoring         how the scores were computed: {@link #POLICY_YES_NO}, {@link #FIRST_TOKEN},
 *                        {@link #MEAN_LOGPROB}; null for generated text
 */
public record InferenceResult(
        String requestId,
        String text,
        List<LabelScore> labelScores,
        FinishReason finishReason,
        long[] promptTokenIds,
        int imageTokens,
        long[] tokenIds,
        StageTimings timings,
        List<PolicyScore> policyScores,
        boolean flagged,
        String scoring) {

    /** MODERATE: P(yes) after each policy's question, normalised over the yes and no tokens. */
    public static final String POLICY_YES_NO = "policy_yes_no";
    /** CLASSIFY: log-probability of each label's first token (the labels' first tokens differ). */
    public static final String FIRST_TOKEN = "first_token";
    /** CLASSIFY: mean log-probability of each label's tokens. */
    public static final String MEAN_LOGPROB = "mean_logprob";

    /** A result without policy scores (GENERATE and CLASSIFY). */
    public InferenceResult(String requestId, String text, List<LabelScore> labelScores, FinishReason finishReason,
                           long[] promptTokenIds, int imageTokens, long[] tokenIds, StageTimings timings) {
        this(requestId, text, labelScores, finishReason, promptTokenIds, imageTokens, tokenIds, timings, List.of(), false,
                labelScores.isEmpty() ? null : MEAN_LOGPROB);
    }

    /** This result with {@code timings}. */
    public InferenceResult withTimings(StageTimings t) {
        return new InferenceResult(requestId, text, labelScores, finishReason, promptTokenIds, imageTokens, tokenIds, t,
                policyScores, flagged, scoring);
    }

    /** One policy's score and verdict. */
    public record PolicyScore(String name, double score, double threshold, boolean flagged) { }
    /** Why generation ended. */
    public enum FinishReason {
        STOP, LENGTH, CLASSIFIED,
        /** The answer ended before it matched its response format (out of tokens, or no token could continue it). */
        CONSTRAINT_INCOMPLETE,
        /** MODERATE: policies scored. */
        MODERATED
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
