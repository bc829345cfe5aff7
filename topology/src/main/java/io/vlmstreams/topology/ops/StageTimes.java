package io.vlmstreams.topology.ops;

import io.vlmstreams.schemas.StageTimings;

/**
 * Milliseconds a request spent in each stage, as {@link VlmMetrics} records them.
 *
 * @param queuedMs     from arrival at the processor to the start of its batch
 * @param preprocessMs image decoding and preprocessing
 * @param encodeMs     vision encoder and projector (the request's batch)
 * @param decodeMs     prefill and decode loop (the request's batch)
 */
public record StageTimes(long queuedMs, long preprocessMs, long encodeMs, long decodeMs) {

    /** The times carried on an {@code Answer}. */
    public static StageTimes of(StageTimings t) {
        return new StageTimes(t.getQueuedMs(), t.getPreprocessMs(), t.getEncodeMs(), t.getDecodeMs());
    }
}
