package io.vlmstreams.topology.processor;

import java.nio.ByteBuffer;

import io.vlmstreams.inference.engine.InferenceEngine;
import io.vlmstreams.inference.engine.InferenceException;
import io.vlmstreams.inference.engine.InferenceRequest;
import io.vlmstreams.schemas.DeadLetterReason;
import io.vlmstreams.schemas.ImageEvent;
import io.vlmstreams.schemas.ImageReference;
import io.vlmstreams.schemas.InlineImage;
import io.vlmstreams.topology.config.BatchConfig;

/**
 * What a record's value becomes when it reaches the batching processor, or when its store entry is
 * restored: its {@link ImageEvent} decoded once and, for an inline image, its engine request built
 * once; the batch then runs from that, not from the bytes again. A record that cannot become a
 * request says why, as the dead-letter reason it gets.
 */
public final class RecordIntake {

    private final RecordDecoder decoder;
    private final RequestBuilder requests;
    private final InferenceEngine engine;
    private final BatchConfig limits;

    public RecordIntake(RecordDecoder decoder, RequestBuilder requests, InferenceEngine engine, BatchConfig limits) {
        this.decoder = decoder;
        this.requests = requests;
        this.engine = engine;
        this.limits = limits;
    }

    /** A record after intake. */
    public sealed interface Intake {

        /** An inline image: the request is complete. */
        record Inline(ImageEvent event, InferenceRequest request) implements Intake { }

        /** An image by reference: its request is built once its bytes are fetched, when its batch runs. */
        record ByReference(ImageEvent event, ImageReference reference) implements Intake { }

        /** The record cannot become a request; {@code eventId} is null when it is not even an event. */
        record Rejected(String eventId, DeadLetterReason reason, String message) implements Intake { }
    }

    /**
     * Decodes {@code value} read from {@code topic} and builds its request.
     *
     * @throws RuntimeException when the schema registry cannot be reached (not the record's fault: the task retries)
     */
    public Intake read(String topic, byte[] value) {
        RecordDecoder.Decoded decoded = decoder.decode(topic, value);
        if (decoded instanceof RecordDecoder.Decoded.Undecodable u) {
            return new Intake.Rejected(null, DeadLetterReason.DESERIALIZATION, u.message());
        }
        ImageEvent event = ((RecordDecoder.Decoded.Event) decoded).event();
        Object image = event.getImage();
        if (image instanceof ImageReference reference) {
            return new Intake.ByReference(event, reference);
        }
        if (!(image instanceof InlineImage inline)) {
            return new Intake.Rejected(event.getEventId(), DeadLetterReason.INVALID_REQUEST,
                    "unknown image form " + image.getClass().getName());
        }
        try {
            return new Intake.Inline(event, requests.build(event, bytes(inline.getData())));
        } catch (IllegalArgumentException e) {
            return new Intake.Rejected(event.getEventId(), DeadLetterReason.INVALID_REQUEST, e.getMessage());
        }
    }

    /**
     * Image tokens the request is counted at against its pipeline's batch budget: the engine's
     * estimate for an inline image ({@link InferenceEngine#estimateImageTokens}), at least 1;
     * {@code batch.reference.image.tokens} for an image whose bytes are not fetched yet or whose
     * header cannot be read (it fails again, with its reason, when its batch runs).
     */
    public int imageTokens(Intake intake) {
        if (!(intake instanceof Intake.Inline inline)) {
            return limits.referenceImageTokens();
        }
        try {
            return Math.max(1, engine.estimateImageTokens(inline.request()));
        } catch (InferenceException e) {
            return limits.referenceImageTokens();
        }
    }

    /** The bytes of an Avro {@code bytes} field, without disturbing the buffer. */
    static byte[] bytes(ByteBuffer buffer) {
        if (buffer.hasArray() && buffer.arrayOffset() == 0 && buffer.position() == 0
                && buffer.remaining() == buffer.array().length) {
            // Avro decodes a bytes field into a buffer of its own: share it rather than hold the image twice
            return buffer.array();
        }
        ByteBuffer copy = buffer.duplicate();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }
}
