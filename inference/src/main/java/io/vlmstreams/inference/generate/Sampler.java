package io.vlmstreams.inference.generate;

import io.vlmstreams.inference.constrain.ConstraintState;
import io.vlmstreams.inference.engine.GenerationSettings;

import java.util.Arrays;
import java.util.BitSet;
import java.util.SplittableRandom;

/**
 * Picks the next token of one sequence. Order as in transformers: repetition penalty (over the
 * prompt and everything generated), then, when sampling, temperature, top-k, top-p, min-p, and a
 * draw from the softmax. Greedy decoding takes the argmax after the penalty. The random generator is
 * seeded from the request, so a request's tokens do not depend on what else is in its batch.
 *
 * <p>Only ids below the vocabulary bound are candidates: a graph's logits may be wider than the
 * tokenizer (published LFM2 decoders have 65,536 logits for about 64,400 tokens), and an id the
 * tokenizer does not define cannot be decoded or fed back.
 *
 * <p>{@link #choose} does not change the sampler, {@link #accept} does: a decode step can choose
 * every row's token, fail before it applies them, and be run again with the same outcome.
 */
public final class Sampler {

    private final GenerationSettings settings;
    private final int vocabSize;
    private final BitSet seen = new BitSet();
    private final SplittableRandom random;
    /** The uniform draw the next sampled token uses; drawn ahead so {@link #choose} stays side-effect free. */
    private double nextUniform;

    /** @param vocabSize ids the tokenizer defines (0 .. vocabSize-1); logits past it are never chosen */
    public Sampler(GenerationSettings settings, long[] promptIds, int vocabSize) {
        if (vocabSize < 1) {
            throw new IllegalArgumentException("vocabulary size must be positive, got " + vocabSize);
        }
        this.settings = settings;
        this.vocabSize = vocabSize;
        this.random = new SplittableRandom(settings.seed());
        this.nextUniform = random.nextDouble();
        for (long id : promptIds) {
            if (id >= 0 && id < vocabSize) {
                seen.set((int) id);
            }
        }
    }

    /** The ids this sampler may choose: 0 .. vocabSize-1. */
    public int vocabSize() {
        return vocabSize;
    }

    /** Chooses the next token from this step's logits (left unchanged) and remembers it for the penalty. */
    public int next(float[] logits) {
        int token = choose(logits);
        accept(token);
        return token;
    }

    /** The token this step's logits give; changes nothing (call {@link #accept} with it to move on). */
    public int choose(float[] logits) {
        return choose(logits, null, 0);
    }

    /**
     * The token this step's logits give under {@code constraint} (null: none): its mask is applied
     * first, so the penalty and every sampling filter see only the tokens the answer may take.
     *
     * @param remaining tokens the answer may still generate, this one included (steers it to close)
     */
    public int choose(float[] logits, ConstraintState constraint, int remaining) {
        // ids the tokenizer does not define are cut off, not just pushed down: softmax and top-p then see only real tokens
        float[] scores = Arrays.copyOf(logits, Math.min(logits.length, vocabSize));
        if (constraint != null) {
            scores = constraint.mask(scores, remaining);
        }
        LogitsProcessors.repetitionPenalty(scores, seen, settings.repetitionPenalty());
        if (settings.greedyDecoding()) {
            return LogitsProcessors.argmax(scores);
        }
        LogitsProcessors.temperature(scores, settings.temperature());
        LogitsProcessors.topK(scores, settings.topK());
        LogitsProcessors.topP(scores, settings.topP());
        LogitsProcessors.minP(scores, settings.minP());
        return draw(LogitsProcessors.softmax(scores), nextUniform);
    }

    /** Records {@code token} as this sequence's next one: it is penalized from now on, and a sampled draw is used up. */
    public void accept(int token) {
        if (token < 0 || token >= vocabSize) {
            throw new IllegalArgumentException("token " + token + " is not in the vocabulary of " + vocabSize);
        }
        seen.set(token);
        if (!settings.greedyDecoding()) {
            nextUniform = random.nextDouble();
        }
    }

    private static int draw(double[] probs, double u) {
        double cumulative = 0;
        int last = -1;
        for (int i = 0; i < probs.length; i++) {
            if (probs[i] > 0) {
                cumulative += probs[i];
                last = i;
                if (u < cumulative) {
                    return i;
                }
            }
        }
        return last; // u landed in the rounding gap above the final sum
    }
}
