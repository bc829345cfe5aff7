package io.vlmstreams.convert.synth;

import java.util.Arrays;

/** One named weight of a checkpoint with its shape and how synthetic values are drawn for it. */
public record Parameter(String name, long[] shape, Init init) {

    /** Distribution of synthetic values. */
    public enum Init {
        /** normal(0, min(0.2, 1.6 / sqrt(fan-in))): activations keep a sane scale at any width. */
        MATRIX,
        /** normal(0, 0.2): embedding tables (also the tied LM head). */
        EMBEDDING,
        /** 1 + normal(0, 0.1): norm scales near one. */
        NORM_SCALE,
        /** normal(0, 0.02): biases, including LayerNorm shifts. */
        BIAS
    }

    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Standard deviation of the values around their mean (1 for norm scales, else 0). */
    double std() {
        return switch (init) {
            case MATRIX -> {
                long fanIn = elementCount() / shape[0];
                yield Math.min(0.2, 1.6 / Math.sqrt(fanIn));
            }
            case EMBEDDING -> 0.2;
            case NORM_SCALE -> 0.1;
            case BIAS -> 0.02;
        };
    }

    double mean() {
        return init == Init.NORM_SCALE ? 1.0 : 0.0;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
