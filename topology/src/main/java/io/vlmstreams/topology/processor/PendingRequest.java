package io.vlmstreams.topology.processor;

import java.util.List;

/**
 * A request waiting in the batching store: everything needed to redo its work after a crash and
 * to forward its answer as if it came straight from its input record.
 *
 * @param key            the input record's key bytes (may be null)
 * @param value          the input record's value bytes (the serialized ImageEvent)
 * @param timestamp      the input record's timestamp, given to its answer
 * @param headers        the input record's headers, given to its answer
 * @param arrivalMs      wall-clock time the processor first saw the record (linger and queued_ms)
 * @param imageTokens    estimated image tokens, counted against the batch budget
 */
public record PendingRequest(
        byte[] key,
        byte[] value,
        long timestamp,
        List<Header> headers,
        String sourceTopic,
        int sourcePartition,
        long sourceOffset,
        long arrivalMs,
        int imageTokens) {

    public PendingRequest {
        headers = List.copyOf(headers);
    }

    /** One record header; the value may be null. */
    public record Header(String key, byte[] value) { }
}
