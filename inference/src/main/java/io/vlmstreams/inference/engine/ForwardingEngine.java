package io.vlmstreams.inference.engine;

import java.util.List;
import java.util.Objects;

/**
 * An {@link InferenceEngine} that forwards every call to another one; a wrapper extends it and overrides
 * only what it changes, so a new engine method needs one forwarding line here, not one per wrapper.
 * {@link #answer} forwards too (a swapping engine names the model that answered): a wrapper that
 * changes {@link #runBatch} overrides {@code answer} as well.
 */
public abstract class ForwardingEngine implements InferenceEngine {

    /** The engine every call goes to. */
    protected final InferenceEngine delegate;

    protected ForwardingEngine(InferenceEngine delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public List<Outcome> runBatch(List<InferenceRequest> requests) {
        return delegate.runBatch(requests);
    }

    @Override
    public AnsweredBatch answer(List<InferenceRequest> requests) {
        return delegate.answer(requests);
    }

    @Override
    public int estimateImageTokens(InferenceRequest request) {
        return delegate.estimateImageTokens(request);
    }

    @Override
    public String modelId() {
        return delegate.modelId();
    }

    @Override
    public String executionProvider() {
        return delegate.executionProvider();
    }

    @Override
    public long imageCacheHits() {
        return delegate.imageCacheHits();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
