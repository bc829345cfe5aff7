package io.vlmstreams.inference.generate;

import java.util.Objects;

/**
 * One prompt as the decoder sees it: token ids (image tokens included) and the image features that
 * replace the image tokens' embeddings, in order.
 *
 * @param tokenIds      the expanded prompt
 * @param imageFeatures rows of hidden size, one per image token; empty when the prompt has none
 */
public record SequenceInput(long[] tokenIds, float[] imageFeatures) {

    public SequenceInput {
        Objects.requireNonNull(tokenIds, "tokenIds");
        imageFeatures = imageFeatures == null ? new float[0] : imageFeatures;
        if (tokenIds.length == 0) {
            throw new IllegalArgumentException("empty prompt");
        }
    }
}
