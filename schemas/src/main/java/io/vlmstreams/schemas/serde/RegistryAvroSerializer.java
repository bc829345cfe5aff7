package io.vlmstreams.schemas.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes values in Confluent's wire format, finding the schema id the way KafkaAvroSerializer does:
 * register under the TopicNameStrategy subject, or look the id up, or use the subject's latest version.
 */
final class RegistryAvroSerializer<T> implements Serializer<T> {

    private final AvroBinding<T> binding;
    private final Map<Schema, DatumWriter<T>> writers = new ConcurrentHashMap<>();
    private final Map<String, LatestVersion> latestBySubject = new ConcurrentHashMap<>();
    private RegistryConnection connection;
    private AvroSerdeConfig config;
    private boolean isKey;

    private record LatestVersion(RegisteredSchema schema, long fetchedAtNanos) {
    }

    RegistryAvroSerializer(AvroBinding<T> binding, SchemaRegistryClient client) {
        this.binding = binding;
        this.connection = client == null ? null : RegistryConnection.borrowed(client);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        configure(configs, isKey, connection != null ? connection : RegistryConnection.open(configs));
    }

    void configure(Map<String, ?> configs, boolean isKey, RegistryConnection connection) {
        this.config = AvroSerdeConfig.from(configs, isKey);
        this.isKey = isKey;
        this.connection = connection;
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        if (config == null) {
            throw new IllegalStateException("Avro serializer not configured: call configure(configs, isKey) first");
        }
        Schema schema = binding.schemaOf(data);
        String subject = SubjectNames.topicName(topic, isKey);
        SchemaRegistryClient client = connection.client();
        try {
            if (config.autoRegisterSchemas()) {
                return frame(client.register(subject, schema), writer(schema), data);
            }
            if (!config.useLatestVersion()) {
                return frame(client.getId(subject, schema), writer(schema), data);
            }
            RegisteredSchema latest = latest(subject);
            if (latest.schema().equals(schema)) {
                return frame(latest.id(), writer(schema), data);
            }
            return frame(latest.id(), new GenericDatumWriter<>(latest.schema()), convert(data, schema, latest.schema(), subject));
        } catch (SchemaNotFoundException e) {
            throw new SerializationException("Schema of " + schema.getFullName() + " is not registered under subject '"
                    + subject + "' and auto.register.schemas is false: " + e.getMessage(), e);
        } catch (SchemaRegistryException e) {
            throw new SerializationException("Cannot get a schema id for " + schema.getFullName() + " under subject '"
                    + subject + "': " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (connection != null) {
            connection.close();
        }
    }

    private DatumWriter<T> writer(Schema schema) {
        return writers.computeIfAbsent(schema, binding::writer);
    }

    private RegisteredSchema latest(String subject) {
        LatestVersion cached = latestBySubject.get(subject);
        long ttl = config.latestCacheTtl().toNanos();
        if (cached != null && (ttl < 0 || System.nanoTime() - cached.fetchedAtNanos() < ttl)) {
            return cached.schema();
        }
        RegisteredSchema fresh = connection.client().getLatest(subject);
        latestBySubject.put(subject, new LatestVersion(fresh, System.nanoTime()));
        return fresh;
    }

    /**
     * Re-expresses {@code data} in the subject's latest schema through Avro schema resolution, so
     * fields are matched by name rather than position and added fields get their defaults.
     */
    private Object convert(T data, Schema own, Schema latest, String subject) {
        var compatibility = SchemaCompatibility.checkReaderWriterCompatibility(latest, own);
        if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new SerializationException("use.latest.version: the latest schema of subject '" + subject
                    + "' cannot represent a " + own.getFullName() + ": " + compatibility.getDescription());
        }
        try {
            byte[] ownBytes = encode(writer(own), data);
            return new GenericDatumReader<>(own, latest).read(null, DecoderFactory.get().binaryDecoder(ownBytes, null));
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Cannot convert " + own.getFullName() + " to the latest schema of subject '"
                    + subject + "': " + e, e);
        }
    }

    private static <D> byte[] frame(int schemaId, DatumWriter<D> writer, D data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.writeBytes(ConfluentWireFormat.header(schemaId));
        write(writer, data, out);
        return out.toByteArray();
    }

    private static <D> byte[] encode(DatumWriter<D> writer, D data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        write(writer, data, out);
        return out.toByteArray();
    }

    private static <D> void write(DatumWriter<D> writer, D data, ByteArrayOutputStream out) {
        try {
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            writer.write(data, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            // Avro reports a missing required field as an NPE or AvroRuntimeException; say which record.
            throw new SerializationException("Cannot write " + data.getClass().getName() + " as Avro: " + e, e);
        }
    }
}
