package io.vlmstreams.inference.engine;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test seam: fails a model batch that holds one of the configured request ids, as ONNX Runtime
 * would (an unchecked exception from inside the batch), so the split-and-retry path and the
 * resulting dead letter can be exercised with the real engine. An id written {@code decode:ID}
 * instead fails, once, the first continuous decode step that carries request ID, which exercises
 * the rerun of every batch on board. Off unless ids are configured.
 */
final class BatchFaults implements ModelHooks {

    /** Prefix of an id whose request fails one decode step instead of its batch. */
    static final String DECODE_PREFIX = "decode:";

    /** What the injected failure throws; a RuntimeException like ORT's own failures. */
    static final class InjectedFault extends RuntimeException {
        InjectedFault(String message) {
            super(message);
        }
    }

    private final Set<String> failingRequestIds;
    private final Set<String> failOnceInDecode = ConcurrentHashMap.newKeySet();

    BatchFaults(Set<String> configured) {
        Set<String> batch = new HashSet<>();
        for (String id : configured) {
            if (id.startsWith(DECODE_PREFIX)) {
                failOnceInDecode.add(id.substring(DECODE_PREFIX.length()));
            } else {
                batch.add(id);
            }
        }
        this.failingRequestIds = Set.copyOf(batch);
    }

    /** Throws {@link InjectedFault} when {@code batch} holds a request configured to fail. */
    @Override
    public void beforeModel(List<PreparedRequest> batch) {
        if (failingRequestIds.isEmpty()) {
            return;
        }
        for (PreparedRequest p : batch) {
            if (failingRequestIds.contains(p.request().requestId())) {
                throw new InjectedFault("injected fault for request " + p.request().requestId());
            }
        }
    }

    /** Throws {@link InjectedFault}, once per configured id, when a decode step carries that request. */
    @Override
    public void beforeDecodeStep(List<PreparedRequest> decoding) {
        if (failOnceInDecode.isEmpty()) {
            return;
        }
        for (PreparedRequest p : decoding) {
            if (failOnceInDecode.remove(p.request().requestId())) {
                throw new InjectedFault("injected decode-step fault while request " + p.request().requestId() + " decodes");
            }
        }
    }
}
