package io.vlmstreams.inference.engine;

import io.vlmstreams.inference.constrain.TokenMasks;
import io.vlmstreams.inference.image.ProcessedImage;

import java.util.List;

/**
 * A request after the CPU work that precedes the model: its image preprocessed, its prompt
 * expanded and tokenized, its labels tokenized.
 *
 * @param promptIds       the expanded prompt's token ids
 * @param labelTokenIds   each label's token ids (CLASSIFY), else empty
 * @param preprocessNanos time spent decoding and preprocessing
 * @param constraint      the request's response format compiled for the vocabulary; null for free text
 */
public record PreparedRequest(InferenceRequest request, ProcessedImage image, String promptText, long[] promptIds,
                              List<long[]> labelTokenIds, long preprocessNanos, TokenMasks constraint) {

    /** A request with a free-text answer. */
    public PreparedRequest(InferenceRequest request, ProcessedImage image, String promptText, long[] promptIds,
                           List<long[]> labelTokenIds, long preprocessNanos) {
        this(request, image, promptText, promptIds, labelTokenIds, preprocessNanos, null);
    }

    public int imageTokens() {
        return image.layout().imageTokens();
    }
}
