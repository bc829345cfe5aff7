package io.vlmstreams.topology.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.vlmstreams.inference.engine.AnsweredBatch;
import io.vlmstreams.inference.engine.ForwardingEngine;
import io.vlmstreams.inference.engine.InferenceEngine;
import io.vlmstreams.inference.engine.InferenceException;
import io.vlmstreams.inference.engine.InferenceRequest;
import io.vlmstreams.inference.engine.Outcome;

/**
 * TEST SEAM around the real engine: the requests of the chosen event ids fail as a model failure
 * would ({@code INFERENCE_FAILED}); every other request of the same batch goes to the real engine.
 * Lets an integration test put a failing record among batch-mates without a production setting.
 */
final class FailingEventsEngine extends ForwardingEngine {

    private final Set<String> failingEventIds;

    FailingEventsEngine(InferenceEngine engine, Set<String> failingEventIds) {
        super(engine);
        this.failingEventIds = Set.copyOf(failingEventIds);
    }

    @Override
    public List<Outcome> runBatch(List<InferenceRequest> requests) {
        List<InferenceRequest> passing = requests.stream().filter(r -> !failingEventIds.contains(r.requestId())).toList();
        List<Outcome> answered = passing.isEmpty() ? List.of() : delegate.runBatch(passing);
        List<Outcome> out = new ArrayList<>(requests.size());
        int next = 0;
        for (InferenceRequest r : requests) {
            out.add(failingEventIds.contains(r.requestId())
                    ? new Outcome.Failure(r.requestId(), failure(r)) : answered.get(next++));
        }
        return out;
    }

    /** Through {@link #runBatch}, so the chosen events fail whichever method the processor calls. */
    @Override
    public AnsweredBatch answer(List<InferenceRequest> requests) {
        return new AnsweredBatch(modelId(), runBatch(requests));
    }

    private static InferenceException failure(InferenceRequest request) {
        return new InferenceException(InferenceException.Kind.INFERENCE_FAILED,
                "injected model failure for event " + request.requestId());
    }
}
