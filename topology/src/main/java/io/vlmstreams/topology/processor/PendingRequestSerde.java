package io.vlmstreams.topology.processor;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Binary form of {@link PendingRequest} in the store and its changelog. A leading version byte
 * lets a later release read entries an earlier one left behind.
 */
public final class PendingRequestSerde implements Serde<PendingRequest> {

    private static final byte VERSION = 1;

    @Override
    public Serializer<PendingRequest> serializer() {
        return (topic, r) -> r == null ? null : write(r);
    }

    @Override
    public Deserializer<PendingRequest> deserializer() {
        return (topic, bytes) -> bytes == null ? null : read(bytes);
    }

    static byte[] write(PendingRequest r) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(r.value().length + 256);
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            out.writeByte(VERSION);
            writeBytes(out, r.key());
            writeBytes(out, r.value());
            out.writeLong(r.timestamp());
            out.writeInt(r.headers().size());
            for (PendingRequest.Header h : r.headers()) {
                out.writeUTF(h.key());
                writeBytes(out, h.value());
            }
            out.writeUTF(r.sourceTopic());
            out.writeInt(r.sourcePartition());
            out.writeLong(r.sourceOffset());
            out.writeLong(r.arrivalMs());
            out.writeInt(r.imageTokens());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    static PendingRequest read(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte version = in.readByte();
            if (version != VERSION) {
                throw new SerializationException("unknown pending-request format version " + version);
            }
            byte[] key = readBytes(in);
            byte[] value = readBytes(in);
            long timestamp = in.readLong();
            int headerCount = in.readInt();
            List<PendingRequest.Header> headers = new ArrayList<>(headerCount);
            for (int i = 0; i < headerCount; i++) {
                headers.add(new PendingRequest.Header(in.readUTF(), readBytes(in)));
            }
            return new PendingRequest(key, value, timestamp, headers, in.readUTF(), in.readInt(), in.readLong(),
                    in.readLong(), in.readInt());
        } catch (IOException e) {
            throw new SerializationException("corrupt pending-request entry", e);
        }
    }

    private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        if (bytes == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            return null;
        }
        return in.readNBytes(length);
    }
}
