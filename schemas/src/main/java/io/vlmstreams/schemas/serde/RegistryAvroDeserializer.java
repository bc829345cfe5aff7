package io.vlmstreams.schemas.serde;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.avro.Schema;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent wire format records: fetches the writer schema by id, then lets Avro resolve it
 * against the reader's schema, so older and newer writers both decode. Registry failures surface as
 * {@link SerializationException}s whose cause is the {@link SchemaRegistryException}, so an error
 * handler can tell an unknown id (HTTP 404) from an unreachable registry (status 0 or 5xx).
 */
final class RegistryAvroDeserializer<T> implements Deserializer<T> {

    private final AvroBinding<T> binding;
    private final Map<Integer, DatumReader<T>> readers = new ConcurrentHashMap<>();
    private RegistryConnection connection;
    private boolean configured;

    RegistryAvroDeserializer(AvroBinding<T> binding, SchemaRegistryClient client) {
        this.binding = binding;
        this.connection = client == null ? null : RegistryConnection.borrowed(client);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        configure(connection != null ? connection : RegistryConnection.open(configs));
    }

    void configure(RegistryConnection connection) {
        this.connection = connection;
        this.configured = true;
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (!configured) {
            throw new IllegalStateException("Avro deserializer not configured: call configure(configs, isKey) first");
        }
        int schemaId = ConfluentWireFormat.schemaId(topic, data);
        DatumReader<T> reader = readers.get(schemaId);
        if (reader == null) {
            reader = binding.reader(writerSchema(topic, schemaId));
            readers.putIfAbsent(schemaId, reader);
        }
        try {
            int length = data.length - ConfluentWireFormat.HEADER_LENGTH;
            return reader.read(null, DecoderFactory.get().binaryDecoder(data, ConfluentWireFormat.HEADER_LENGTH, length, null));
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Cannot decode Avro record with schema id " + schemaId + " from topic '"
                    + topic + "': " + e, e);
        }
    }

    @Override
    public void close() {
        if (connection != null) {
            connection.close();
        }
    }

    private Schema writerSchema(String topic, int schemaId) {
        try {
            return connection.client().getById(schemaId);
        } catch (SchemaNotFoundException e) {
            throw new SerializationException("Unknown schema id " + schemaId + " in record from topic '" + topic
                    + "': the schema registry has no such schema (" + e.getMessage() + ")", e);
        } catch (SchemaRegistryException e) {
            throw new SerializationException("Cannot fetch writer schema id " + schemaId + " for record from topic '"
                    + topic + "': " + e.getMessage(), e);
        }
    }
}
