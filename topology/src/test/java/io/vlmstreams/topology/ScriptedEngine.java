package io.vlmstreams.topology;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.vlmstreams.inference.engine.InferenceEngine;
import io.vlmstreams.inference.engine.InferenceException;
import io.vlmstreams.inference.engine.InferenceRequest;
import io.vlmstreams.inference.engine.InferenceResult;
import io.vlmstreams.inference.engine.Outcome;

/**
 * UNIT-TEST SEAM, not a model: a deterministic {@link InferenceEngine} for the batching-rule tests
 * (TopologyTestDriver), where only how requests are grouped matters. An image's token cost is its
 * byte count; an image starting with {@code BAD} fails as undecodable; the answer names the request.
 * End-to-end and crash tests use the real engine on a tiny model instead.
 */
public final class ScriptedEngine implements InferenceEngine {

    /** The request ids of each batch, in the order the batches ran. */
    public final List<List<String>> batches = new ArrayList<>();

    /** Every request given to {@link #estimateImageTokens}, then to {@link #runBatch}, in call order. */
    public final List<InferenceRequest> estimated = new ArrayList<>();
    public final List<InferenceRequest> ran = new ArrayList<>();

    @Override
    public synchronized List<Outcome> runBatch(List<InferenceRequest> requests) {
        batches.add(requests.stream().map(InferenceRequest::requestId).toList());
        ran.addAll(requests);
        List<Outcome> out = new ArrayList<>();
        for (InferenceRequest r : requests) {
            if (new String(r.imageBytes(), StandardCharsets.ISO_8859_1).startsWith("BAD")) {
                out.add(new Outcome.Failure(r.requestId(),
                        new InferenceException(InferenceException.Kind.IMAGE_UNDECODABLE, "not an image")));
            } else {
                out.add(new Outcome.Success(new InferenceResult(r.requestId(), "answer to " + r.requestId()
                        + " seed " + r.generation().seed(), List.of(), InferenceResult.FinishReason.STOP,
                        new long[r.imageBytes().length + 3], r.imageBytes().length, new long[] {1, 2},
                        new InferenceResult.StageTimings(0, 1, 2, 3))));
            }
        }
        return out;
    }

    @Override
    public synchronized int estimateImageTokens(InferenceRequest request) {
        estimated.add(request);
        return request.imageBytes().length;
    }

    @Override
    public String modelId() {
        return "scripted";
    }

    @Override
    public String executionProvider() {
        return "CPU";
    }

    @Override
    public void close() {
    }
}
