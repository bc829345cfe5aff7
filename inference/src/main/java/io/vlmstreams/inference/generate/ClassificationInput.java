package io.vlmstreams.inference.generate;

import java.util.List;
import java.util.Objects;

/**
 * A prompt and the candidate continuations to score after it.
 *
 * @param labelTokenIds each label's tokens as they would follow the prompt (no special tokens)
 */
public record ClassificationInput(SequenceInput prompt, List<long[]> labelTokenIds) {

    public ClassificationInput {
        Objects.requireNonNull(prompt, "prompt");
        labelTokenIds = List.copyOf(labelTokenIds);
        if (labelTokenIds.isEmpty()) {
            throw new IllegalArgumentException("no labels");
        }
        for (long[] label : labelTokenIds) {
            if (label.length == 0) {
                throw new IllegalArgumentException("a label has no tokens");
            }
        }
    }
}
