package io.vlmstreams.inference.generate;

import io.vlmstreams.inference.constrain.ConstraintState;

import java.util.ArrayList;
import java.util.List;

/**
 * One sequence's decoding state inside a {@link ContinuousBatch}: every generated token but the
 * last is in the cache; the last is fed next.
 *
 * @param <K> what the caller identifies the sequence by
 */
final class DecodingRow<K> {
    final K key;
    final GenerationInput input;
    final Sampler sampler;
    final int promptLength;
    final List<Long> tokens = new ArrayList<>();
    /** The answer's place in its response format; null for free text. */
    final ConstraintState constraint;
    boolean stopped;

    /** @param vocabSize ids the tokenizer defines; the row never samples past them */
    DecodingRow(K key, GenerationInput input, int promptLength, int vocabSize) {
        this.key = key;
        this.input = input;
        this.promptLength = promptLength;
        this.sampler = new Sampler(input.settings(), input.prompt().tokenIds(), vocabSize);
        this.constraint = input.constraint() == null ? null : input.constraint().start();
    }

    /** The token this row's sampler picks from {@code logits}; the row is left as it was. */
    int choose(float[] logits) {
        if (constraint == null) {
            return sampler.choose(logits);
        }
        int remaining = input.settings().maxNewTokens() - tokens.size();
        int forced = constraint.forced(remaining);
        // a single possible token needs no sampling; the sampler still records it in accept
        return forced >= 0 ? forced : sampler.choose(logits, constraint, remaining);
    }

    /** Appends {@code token} (chosen by {@link #choose}) to the row and its sampler. */
    void accept(int token) {
        sampler.accept(token);
        tokens.add((long) token);
        stopped = input.stopsAt(token);
        if (constraint != null) {
            constraint.accept(token);
            stopped = stopped || constraint.complete();
        }
    }

    boolean done() {
        return stopped || tokens.size() >= input.settings().maxNewTokens();
    }

    /** Whether the row would be done once {@code token} is accepted. */
    boolean doneWith(int token) {
        return input.stopsAt(token) || tokens.size() + 1 >= input.settings().maxNewTokens()
                || (constraint != null && constraint.completesWith(token));
    }

    long lastToken() {
        return tokens.get(tokens.size() - 1);
    }

    /** Position id of the token about to be fed: prompt plus generated tokens before it. */
    long position() {
        return promptLength + tokens.size() - 1;
    }

    /** Real positions in the cache once the last token has been fed. */
    int cachedLength() {
        return promptLength + tokens.size() - 1;
    }

    GenerationOutput output() {
        boolean incomplete = constraint != null && !constraint.accepting();
        return new GenerationOutput(tokens.stream().mapToLong(Long::longValue).toArray(), stopped && !incomplete, incomplete);
    }

    /**
     * Leading cache columns that are padding in every remaining row.
     *
     * @param justFed positions each row's cache holds beyond {@link #cachedLength()}: 1 right after
     *                a run fed the row's last token and before its next token is accepted, else 0
     */
    static int commonPadding(List<? extends DecodingRow<?>> rows, int width, int justFed) {
        int pad = width;
        for (DecodingRow<?> r : rows) {
            pad = Math.min(pad, width - r.cachedLength() - justFed);
        }
        return Math.max(0, pad);
    }

    /**
     * Cache columns the longest remaining row fills: with right padding, the columns after it are padding
     * in every row.
     *
     * @param justFed as in {@link #commonPadding}
     */
    static int longestCached(List<? extends DecodingRow<?>> rows, int justFed) {
        int longest = 0;
        for (DecodingRow<?> r : rows) {
            longest = Math.max(longest, r.cachedLength() + justFed);
        }
        return longest;
    }

    /** The attention mask of the kept rows, columns {@code from} (inclusive) to {@code to} (exclusive). */
    static long[] selectMask(long[] mask, int width, int[] keep, int from, int to) {
        int w = to - from;
        long[] out = new long[keep.length * w];
        for (int k = 0; k < keep.length; k++) {
            System.arraycopy(mask, keep[k] * width + from, out, k * w, w);
        }
        return out;
    }
}
