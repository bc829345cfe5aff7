package io.vlmstreams.schemas.serde;

import java.util.Map;

/** A registry client plus whether its user must close it (created from configs) or not (passed in). */
record RegistryConnection(SchemaRegistryClient client, boolean owned) implements AutoCloseable {

    static RegistryConnection borrowed(SchemaRegistryClient client) {
        return new RegistryConnection(client, false);
    }

    static RegistryConnection open(Map<String, ?> configs) {
        return new RegistryConnection(SchemaRegistryClients.create(configs), true);
    }

    @Override
    public void close() {
        if (owned) {
            client.close();
        }
    }
}
