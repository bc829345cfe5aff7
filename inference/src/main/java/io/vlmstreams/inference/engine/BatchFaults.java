package io.vlmstreams.inference.engine;

import java.util.List;
import java.util.Set;

/**
 * Test seam: fails a model batch that holds one of the configured request ids, as ONNX Runtime
 * would (an unchecked exception from inside the batch), so the split-and-retry path and the
 * resulting dead letter can be exercised with the real engine. Off unless ids are configured.
 */
final class BatchFaults {

    /** What the injected failure throws; a RuntimeException like ORT's own failures. */
    static final class InjectedFault extends RuntimeException {
        InjectedFault(String message) {
            super(message);
        }
    }

    private final Set<String> failingRequestIds;

    BatchFaults(Set<String> failingRequestIds) {
        this.failingRequestIds = Set.copyOf(failingRequestIds);
    }

    /** Throws {@link InjectedFault} when {@code batch} holds a request configured to fail. */
    void beforeModel(List<PreparedRequest> batch) {
        if (failingRequestIds.isEmpty()) {
            return;
        }
        for (PreparedRequest p : batch) {
            if (failingRequestIds.contains(p.request().requestId())) {
                throw new InjectedFault("injected fault for request " + p.request().requestId());
            }
        }
    }
}
