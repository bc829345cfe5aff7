package io.vlmstreams.inference.engine;

import java.util.Objects;

/**
 * One moderation policy: a yes/no question about the image and the P(yes) at or above which the
 * image is flagged for it.
 */
public record Policy(String name, String question, double threshold) {

    /** The threshold when none is given. */
    public static final double DEFAULT_THRESHOLD = 0.5;

    public Policy {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(question, "question");
        if (name.isBlank() || question.isBlank()) {
            throw new IllegalArgumentException("a policy needs a name and a question");
        }
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException("policy " + name + ": threshold must be in [0, 1], got " + threshold);
        }
    }
}
