package io.vlmstreams.inference.generate;

import java.util.Arrays;
import java.util.BitSet;

/**
 * The logits processors of transformers' generation, each in place on one row of float32 scores,
 * with transformers' semantics (a removed token gets -infinity, at least one token is always kept).
 */
public final class LogitsProcessors {

    private LogitsProcessors() { }

    /** RepetitionPenaltyLogitsProcessor: every token seen so far is divided (or, when negative, multiplied) by the penalty. */
    public static void repetitionPenalty(float[] scores, BitSet seen, double penalty) {
        if (penalty == 1.0) {
            return;
        }
        float p = (float) penalty;
        for (int t = seen.nextSetBit(0); t >= 0 && t < scores.length; t = seen.nextSetBit(t + 1)) {
            float s = scores[t];
            scores[t] = s < 0 ? s * p : s / p;
        }
    }

    /** TemperatureLogitsWarper. */
    public static void temperature(float[] scores, double temperature) {
        if (temperature == 1.0) {
            return;
        }
        float t = (float) temperature;
        for (int i = 0; i < scores.length; i++) {
            scores[i] = scores[i] / t;
        }
    }

    /** TopKLogitsWarper: drops every score below the k-th largest (ties with it stay). */
    public static void topK(float[] scores, int k) {
        if (k <= 0 || k >= scores.length) {
            return;
        }
        float[] sorted = scores.clone();
        Arrays.sort(sorted);
        float kth = sorted[sorted.length - k];
        for (int i = 0; i < scores.length; i++) {
            if (scores[i] < kth) {
                scores[i] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    /**
     * TopPLogitsWarper: sorted ascending, drops the tokens whose cumulative probability is at most
     * 1 - top_p; the most likely token always stays.
     */
    public static void topP(float[] scores, double topP) {
        if (topP >= 1.0) {
            return;
        }
        Integer[] order = ascending(scores);
        double[] probs = softmax(scores);
        double cumulative = 0;
        for (int j = 0; j < order.length - 1; j++) {
            int i = order[j];
            cumulative += probs[i];
            if (cumulative <= 1.0 - topP) {
                scores[i] = Float.NEGATIVE_INFINITY;
            } else {
                break;
            }
        }
    }

    /** MinPLogitsWarper: drops tokens whose probability is below min_p times the top probability; the top token stays. */
    public static void minP(float[] scores, double minP) {
        if (minP <= 0) {
            return;
        }
        double[] probs = softmax(scores);
        int best = argmax(scores);
        double threshold = minP * probs[best];
        for (int i = 0; i < scores.length; i++) {
            if (i != best && probs[i] < threshold) {
                scores[i] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    /** Softmax in double precision; -infinity maps to 0. */
    public static double[] softmax(float[] scores) {
        float max = Float.NEGATIVE_INFINITY;
        for (float s : scores) {
            max = Math.max(max, s);
        }
        double[] out = new double[scores.length];
        double sum = 0;
        for (int i = 0; i < scores.length; i++) {
            double e = scores[i] == Float.NEGATIVE_INFINITY ? 0 : Math.exp((double) scores[i] - max);
            out[i] = e;
            sum += e;
        }
        for (int i = 0; i < out.length; i++) {
            out[i] /= sum;
        }
        return out;
    }

    /** log_softmax(scores)[token] in double precision. */
    public static double logProb(float[] scores, int token) {
        return logProb(scores, scores.length, token);
    }

    /** log_softmax over the first {@code limit} scores (ids past it are not candidates), at {@code token}. */
    public static double logProb(float[] scores, int limit, int token) {
        int n = Math.min(limit, scores.length);
        if (token < 0 || token >= n) {
            throw new IllegalArgumentException("token " + token + " is not among the " + n + " scored ids");
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, scores[i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp((double) scores[i] - max);
        }
        return (double) scores[token] - max - Math.log(sum);
    }

    /** Index of the largest score; the first one on ties, as torch.argmax. */
    public static int argmax(float[] scores) {
        int best = 0;
        for (int i = 1; i < scores.length; i++) {
            if (scores[i] > scores[best]) {
                best = i;
            }
        }
        return best;
    }

    private static Integer[] ascending(float[] scores) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(scores[a], scores[b]));
        return order;
    }
}
