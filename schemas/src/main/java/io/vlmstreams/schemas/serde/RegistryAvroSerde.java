package io.vlmstreams.schemas.serde;

import java.util.Map;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** The shared body of the two public serdes: one registry client for both directions. */
abstract class RegistryAvroSerde<T> implements Serde<T> {

    private final SchemaRegistryClient injectedClient;
    private final RegistryAvroSerializer<T> serializer;
    private final RegistryAvroDeserializer<T> deserializer;
    private RegistryConnection connection;

    RegistryAvroSerde(AvroBinding<T> binding, SchemaRegistryClient client) {
        this.injectedClient = client;
        this.serializer = new RegistryAvroSerializer<>(binding, client);
        this.deserializer = new RegistryAvroDeserializer<>(binding, client);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        close();
        connection = injectedClient != null ? RegistryConnection.borrowed(injectedClient) : RegistryConnection.open(configs);
        // Both directions borrow this serde's connection; only the serde closes it.
        RegistryConnection shared = RegistryConnection.borrowed(connection.client());
        serializer.configure(configs, isKey, shared);
        deserializer.configure(shared);
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }

    @Override
    public void close() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}
