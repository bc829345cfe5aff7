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
 * @param imageKey        the image's key in the engine's {@link ImageFeatureCache}; null when the cache is off
 * @param cachedFeatures  the image's vision features from the cache (then {@code image} has no pixels); null on a miss
 */
public record PreparedRequest(InferenceRequest request, ProcessedImage image, String promptText, long[] promptIds,
                              List<long[]> labelTokenIds, long preprocessNanos, TokenMasks constraint,
                              String imageKey, float[] cachedFeatures) {

    /** A request whose image is not cached. */
    public PreparedRequest(InferenceRequest request, ProcessedImage image, String promptText, long[] promptIds,
                           List<long[]> labelTokenIds, long preprocessNanos, TokenMasks constraint) {
        this(request, image, promptText, promptIds, labelTokenIds, preprocessNanos, constraint, null, null);
    }

    /** A request with a free-text answer. */
    public PreparedRequest(InferenceRequest request, ProcessedImage image, String promptText, long[] promptIds,
                           List<long[]> labelTokenIds, long preprocessNanos) {
        this(request, image, promptText, promptIds, labelTokenIds, preprocessNanos, null);
    }

    public int imageTokens() {
        return image.layout().imageTokens();
    }
}
