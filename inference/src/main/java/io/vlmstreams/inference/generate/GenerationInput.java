package io.vlmstreams.inference.generate;

import io.vlmstreams.inference.constrain.TokenMasks;
import io.vlmstreams.inference.engine.GenerationSettings;

import java.util.Objects;

/**
 * One sequence to continue: its prompt, how to decode, and which tokens end it.
 *
 * @param stopTokenIds generation ends after emitting any of these (the token is kept in the output)
 * @param constraint   the compiled response format every token must keep to; null for free text
 */
public record GenerationInput(SequenceInput prompt, GenerationSettings settings, long[] stopTokenIds,
                              TokenMasks constraint) {

    /** Free text: no constraint. */
    public GenerationInput(SequenceInput prompt, GenerationSettings settings, long[] stopTokenIds) {
        this(prompt, settings, stopTokenIds, null);
    }

    public GenerationInput {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(settings, "settings");
        stopTokenIds = stopTokenIds == null ? new long[0] : stopTokenIds.clone();
    }

    boolean stopsAt(long token) {
        for (long s : stopTokenIds) {
            if (s == token) {
                return true;
            }
        }
        return false;
    }
}
