package io.vlmstreams.inference.constrain;

import java.util.Arrays;

/**
 * Where one answer is in its constraint: the automaton state, moved by each accepted token. Each
 * row of a batch has its own. {@link #mask} restricts a step's scores to the tokens that keep the
 * answer completable within the tokens left (steering to close when the budget runs short);
 * {@link #forced} names the token when only one is possible, so it needs no sampling. Not
 * thread-safe (one row, one thread).
 */
public final class ConstraintState {

    private final TokenMasks masks;
    private int state;
    private boolean ended;
    private boolean deadEnd;

    ConstraintState(TokenMasks masks) {
        this.masks = masks;
        this.state = masks.dfa().start();
    }

    /**
     * {@code scores} (over the vocabulary) with every token outside this step's allowed set at
     * -infinity; {@code scores} itself is left as it was.
     *
     * @param remaining tokens this answer may still generate, this one included
     */
    public float[] mask(float[] scores, int remaining) {
        float[] out = new float[scores.length];
        Arrays.fill(out, Float.NEGATIVE_INFINITY);
        TokenMasks.Allowed a = masks.allowed(state);
        int budget = remaining - 1;
        boolean steer = a.maxCost() > budget;
        int kept = 0;
        for (int i = 0; i < a.size(); i++) {
            int t = a.tokens()[i];
            if (t < out.length && (!steer || masks.costAt(a.ends()[i]) <= budget)) {
                out[t] = scores[t];
                kept++;
            }
        }
        if (kept == 0 && steer) {
            // it cannot finish in time whatever it picks: stay valid for as long as it lasts
            for (int i = 0; i < a.size(); i++) {
                int t = a.tokens()[i];
                if (t < out.length) {
                    out[t] = scores[t];
                    kept++;
                }
            }
        }
        if (kept == 0) {
            // no token of this vocabulary continues the answer: let it stop
            for (int stop : masks.stopTokenIds()) {
                if (stop >= 0 && stop < out.length) {
                    out[stop] = scores[stop];
                }
            }
        }
        return out;
    }

    /** The only token allowed now (no steering needed), or -1. */
    public int forced(int remaining) {
        TokenMasks.Allowed a = masks.allowed(state);
        if (a.size() == 1 && a.maxCost() <= remaining - 1) {
            return a.tokens()[0];
        }
        return -1;
    }

    /** Moves past {@code token}. A token the constraint does not allow (only a fallback stop token) is a dead end. */
    public void accept(int token) {
        int next = masks.next(state, token);
        if (next == TokenMasks.ENDED) {
            ended = true;
        } else if (next == ByteDfa.DEAD) {
            deadEnd = true;
            ended = true;
        } else {
            state = next;
        }
    }

    /** Whether the answer would be complete (accepted, nothing can follow, or stopped) once {@code token} is accepted. */
    public boolean completesWith(int token) {
        int next = masks.next(state, token);
        return next == TokenMasks.ENDED || (next >= 0 && masks.dfa().complete(next));
    }

    /** Accepted and nothing can follow. */
    public boolean complete() {
        return !deadEnd && (ended || masks.dfa().complete(state));
    }

    /** The text so far is a full match (it may go on). */
    public boolean accepting() {
        return !deadEnd && (ended || masks.dfa().accepts(state));
    }
}
