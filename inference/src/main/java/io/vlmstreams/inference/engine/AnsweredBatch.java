package io.vlmstreams.inference.engine;

import java.util.List;

/**
 * The outcomes of one {@link InferenceEngine#answer} call and the model that produced them: while
 * models are swapped, {@link InferenceEngine#modelId()} may already name the next one.
 */
public record AnsweredBatch(String modelId, List<Outcome> outcomes) {

    public AnsweredBatch {
        outcomes = List.copyOf(outcomes);
    }
}
