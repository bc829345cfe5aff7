package io.vlmstreams.topology.processor;

import io.vlmstreams.schemas.ImageEvent;
import io.vlmstreams.schemas.serde.SchemaNotFoundException;
import io.vlmstreams.schemas.serde.SchemaRegistryException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Turns an input record's value bytes into an {@link ImageEvent}, or says why it cannot. Bytes that
 * are not an ImageEvent (garbage, an unknown schema id, another record type) are the record's fault
 * and become dead letters; an unreachable registry is not, so it propagates and the task retries.
 */
public final class RecordDecoder {

    private final Deserializer<ImageEvent> deserializer;

    public RecordDecoder(Deserializer<ImageEvent> deserializer) {
        this.deserializer = deserializer;
    }

    /** The result of decoding one value. */
    public sealed interface Decoded {
        /** The value is an ImageEvent. */
        record Event(ImageEvent event) implements Decoded { }

        /** The value cannot be read as an ImageEvent; {@code message} says why. */
        record Undecodable(String message) implements Decoded { }
    }

    /** Decodes {@code value} read from {@code topic}. */
    public Decoded decode(String topic, byte[] value) {
        if (value == null) {
            return new Decoded.Undecodable("record has no value (tombstone)");
        }
        try {
            ImageEvent event = deserializer.deserialize(topic, value);
            if (event == null || event.getEventId() == null || event.getImage() == null) {
                return new Decoded.Undecodable("record is not a complete ImageEvent");
            }
            return new Decoded.Event(event);
        } catch (RuntimeException e) {
            SchemaRegistryException registry = registryCause(e);
            if (registry != null && !(registry instanceof SchemaNotFoundException)) {
                throw e;
            }
            return new Decoded.Undecodable(e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private static SchemaRegistryException registryCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SchemaRegistryException sre) {
                return sre;
            }
        }
        return null;
    }
}
