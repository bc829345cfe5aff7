package io.vlmstreams.schemas.serde;

import java.nio.ByteBuffer;

import org.apache.kafka.common.errors.SerializationException;

/**
 * Confluent's framing of a registry-aware Kafka record: magic byte {@code 0}, the writer schema's
 * registry id as a 4-byte big-endian int, then the Avro binary encoding of the datum.
 */
public final class ConfluentWireFormat {

    /** The only magic byte Confluent's serializers have ever written. */
    public static final byte MAGIC_BYTE = 0;

    /** Magic byte plus schema id. */
    public static final int HEADER_LENGTH = 5;

    private ConfluentWireFormat() {
    }

    /** Writes the 5-byte header for {@code schemaId} into {@code buffer}. */
    public static void writeHeader(ByteBuffer buffer, int schemaId) {
        buffer.put(MAGIC_BYTE).putInt(schemaId);
    }

    /** The 5-byte header for {@code schemaId}. */
    public static byte[] header(int schemaId) {
        ByteBuffer buffer = ByteBuffer.allocate(HEADER_LENGTH);
        writeHeader(buffer, schemaId);
        return buffer.array();
    }

    /**
     * Reads the schema id of a framed record.
     *
     * @param topic only used to make error messages point at the source
     * @throws SerializationException if the record is shorter than the header or the magic byte is not 0
     */
    public static int schemaId(String topic, byte[] record) {
        if (record.length < HEADER_LENGTH) {
            throw new SerializationException("Record from topic '" + topic + "' is too short for the Confluent wire format: "
                    + record.length + " bytes, need at least " + HEADER_LENGTH + " (magic byte 0 + 4-byte schema id)");
        }
        if (record[0] != MAGIC_BYTE) {
            throw new SerializationException("Record from topic '" + topic + "' has unknown magic byte " + (record[0] & 0xff)
                    + " (expected 0): it was not written by a Confluent-compatible Avro serializer");
        }
        return ByteBuffer.wrap(record, 1, 4).getInt();
    }
}
