package io.vlmstreams.inference.engine;

/** The result of one request in a batch: an answer or the failure that stopped it. */
public sealed interface Outcome {

    String requestId();

    /** The request was answered. */
    record Success(InferenceResult result) implements Outcome {
        @Override
        public String requestId() {
            return result.requestId();
        }
    }

    /** The request failed; its batch-mates are unaffected. */
    record Failure(String requestId, InferenceException error) implements Outcome { }
}
