package io.vlmstreams.inference.engine;

import java.util.List;

/**
 * Answers image requests with LFM2-VL. Thread-safe: stream threads share one engine, and the
 * batches they run concurrently may decode together. A request that fails yields an
 * {@link Outcome.Failure}; it never fails the others.
 */
public interface InferenceEngine extends AutoCloseable {

    /**
     * Runs the requests (as one or more model batches within the engine's {@link BatchPolicy}) and
     * returns one outcome each, in order, once all are done.
     */
    List<Outcome> runBatch(List<InferenceRequest> requests);

    /**
     * {@link #runBatch} with the id of the model that answered, which all of one call's outcomes
     * share; an engine whose model can change under it (a swap) overrides this.
     */
    default AnsweredBatch answer(List<InferenceRequest> requests) {
        return new AnsweredBatch(modelId(), runBatch(requests));
    }

    /**
     * Image tokens the request's image will cost the model, from its header alone, read the way the
     * engine decodes it (same decoder, same EXIF orientation, same tiling); callers size their
     * batches by it ({@link BatchPolicy#pipeline}).
     *
     * @throws InferenceException of the image's failure kind when its header cannot be read or is
     *                            over the image limits (the request would fail the same way when run)
     */
    int estimateImageTokens(InferenceRequest request);

    /** Identifier of the model that answers (folder name plus dtype variant). */
    String modelId();

    /** The execution provider in use, for example {@code CPU} or {@code CUDA:0}. */
    String executionProvider();

    /** Requests whose image features came from the image cache since the engine opened (0 without one). */
    default long imageCacheHits() {
        return 0;
    }

    @Override
    void close();
}
