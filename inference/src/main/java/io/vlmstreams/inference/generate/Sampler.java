package io.vlmstreams.inference.generate;

import io.vlmstreams.inference.engine.GenerationSettings;

import java.util.BitSet;
import java.util.SplittableRandom;

/**
 * Picks the next token of one sequence. Order as in transformers: repetition penalty (over the
 * prompt and everything generated), then, when sampling, temperature, top-k, top-p, min-p, and a
 * draw from the softmax. Greedy decoding takes the argmax after the penalty. The random generator is
 * seeded from the request, so a request's tokens do not depend on what else is in its batch.
 */
public final class Sampler {

    private final GenerationSettings settings;
    private final BitSet seen = new BitSet();
    private final SplittableRandom random;

    public Sampler(GenerationSettings settings, long[] promptIds) {
        this.settings = settings;
        this.random = new SplittableRandom(settings.seed());
        for (long id : promptIds) {
            if (id >= 0) {
                seen.set((int) id);
            }
        }
    }

    /** Chooses the next token from this step's logits (left unchanged) and remembers it for the penalty. */
    public int next(float[] logits) {
        float[] scores = logits.clone();
        LogitsProcessors.repetitionPenalty(scores, seen, settings.repetitionPenalty());
        int token;
        if (settings.greedyDecoding()) {
            token = LogitsProcessors.argmax(scores);
        } else {
            LogitsProcessors.temperature(scores, settings.temperature());
            LogitsProcessors.topK(scores, settings.topK());
            LogitsProcessors.topP(scores, settings.topP());
            LogitsProcessors.minP(scores, settings.minP());
            token = draw(LogitsProcessors.softmax(scores));
        }
        seen.set(token);
        return token;
    }

    private int draw(double[] probs) {
        double u = random.nextDouble();
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
