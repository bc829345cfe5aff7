package io.vlmstreams.schemas.serde;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Kafka serde for {@link GenericRecord}s, byte-compatible with Confluent's GenericAvroSerde. Reads
 * with the writer's schema, or with a reader schema given at construction (schema evolution).
 * Configure it like {@link SpecificAvroSerde}.
 */
public final class GenericAvroSerde extends RegistryAvroSerde<GenericRecord> {

    /** Reads records with their writer's schema; the client comes from {@code schema.registry.url}. */
    public GenericAvroSerde() {
        this(null, null);
    }

    /** Reads records with their writer's schema, using {@code client} (not closed by the serde). */
    public GenericAvroSerde(SchemaRegistryClient client) {
        this(null, client);
    }

    /**
     * @param readerSchema schema records are resolved to when read; null reads with the writer's schema
     * @param client       registry client, or null to create one from the configs
     */
    public GenericAvroSerde(Schema readerSchema, SchemaRegistryClient client) {
        super(AvroBinding.generic(readerSchema), client);
    }
}
