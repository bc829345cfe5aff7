package io.vlmstreams.topology.processor;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;

import io.vlmstreams.inference.engine.InferenceException;
import io.vlmstreams.schemas.DeadLetter;
import io.vlmstreams.schemas.DeadLetterReason;

/** Builds {@link DeadLetter} records: where the record came from, why it failed, its bytes (capped). */
public final class DeadLetters {

    private final String pipeline;
    private final int maxValueBytes;

    /** @param maxValueBytes how many of the original value's bytes a dead letter keeps */
    public DeadLetters(String pipeline, int maxValueBytes) {
        this.pipeline = pipeline;
        this.maxValueBytes = maxValueBytes;
    }

    /** A dead letter for a record from {@code topic}/{@code partition}/{@code offset}. */
    public DeadLetter of(String topic, int partition, long offset, String eventId, DeadLetterReason reason,
                         String message, byte[] value, Instant failedAt) {
        byte[] kept = value == null ? null : Arrays.copyOf(value, Math.min(value.length, maxValueBytes));
        return DeadLetter.newBuilder()
                .setSourceTopic(topic)
                .setSourcePartition(partition)
                .setSourceOffset(offset)
                .setEventId(eventId)
                .setPipeline(pipeline)
                .setReason(reason)
                .setMessage(message == null ? reason.name() : message)
                .setFailedAt(failedAt)
                .setOriginalValue(kept == null ? null : ByteBuffer.wrap(kept))
                .setOriginalValueSize(value == null ? 0 : value.length)
                .build();
    }

    /** A dead letter for a pending request that failed. */
    public DeadLetter of(PendingRequest r, String eventId, DeadLetterReason reason, String message, Instant failedAt) {
        return of(r.sourceTopic(), r.sourcePartition(), r.sourceOffset(), eventId, reason, message, r.value(), failedAt);
    }

    /** The dead-letter reason for an engine failure class. */
    public static DeadLetterReason reason(InferenceException.Kind kind) {
        return switch (kind) {
            case IMAGE_UNDECODABLE -> DeadLetterReason.IMAGE_UNDECODABLE;
            case IMAGE_TOO_LARGE -> DeadLetterReason.IMAGE_TOO_LARGE;
            case IMAGE_UNSUPPORTED -> DeadLetterReason.IMAGE_UNSUPPORTED;
            case INVALID_REQUEST -> DeadLetterReason.INVALID_REQUEST;
            case INFERENCE_FAILED -> DeadLetterReason.INFERENCE_FAILED;
        };
    }
}
