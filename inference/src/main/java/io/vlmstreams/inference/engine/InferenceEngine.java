package io.vlmstreams.inference.engine;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Answers image requests with LFM2-VL. Thread-safe: stream threads share one engine, which batches
 * what they submit. A request that fails yields a {@link Outcome.Failure}; it never fails the others.
 */
public interface InferenceEngine extends AutoCloseable {

    /** Queues one request; the future completes with its result or fails with an {@link InferenceException}. */
    CompletableFuture<InferenceResult> submit(InferenceRequest request);

    /** Runs the requests (as one or more model batches within the engine's limits) and returns one outcome each, in order. */
    List<Outcome> runBatch(List<InferenceRequest> requests);

    /** Image tokens the request will cost, from the image header alone; used to size batches by budget. */
    int estimateImageTokens(InferenceRequest request);

    /** Identifier of the model that answers (folder name plus dtype variant). */
    String modelId();

    /** The execution provider in use, for example {@code CPU} or {@code CUDA:0}. */
    String executionProvider();

    @Override
    void close();
}
