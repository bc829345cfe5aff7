package io.vlmstreams.schemas.serde;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Kafka serde for Avro-generated classes (ImageEvent, Answer, DeadLetter), byte-compatible with
 * Confluent's SpecificAvroSerde. Configure it before use with {@link #configure(java.util.Map, boolean)}
 * ({@code schema.registry.url} and the keys of {@link AvroSerdeConfig} and {@link RegistryClientConfig});
 * Kafka Streams does not configure serdes passed to {@code Consumed}/{@code Produced} itself.
 * Records are read with the class's schema whatever schema they were written with.
 */
public final class SpecificAvroSerde<T extends SpecificRecord> extends RegistryAvroSerde<T> {

    /** A serde whose registry client comes from {@code schema.registry.url} at configure time. */
    public SpecificAvroSerde(Class<T> type) {
        this(type, null);
    }

    /** A serde using {@code client} (not closed by the serde); configs still supply the serializer settings. */
    public SpecificAvroSerde(Class<T> type, SchemaRegistryClient client) {
        super(AvroBinding.specific(type), client);
    }

    /** A serde for the generated class of {@code schema}, which must be on the classpath. */
    public SpecificAvroSerde(Schema schema) {
        this(SpecificAvroSerde.<T>classOf(schema), null);
    }

    /** A serde for the generated class of {@code schema} using {@code client}. */
    public SpecificAvroSerde(Schema schema, SchemaRegistryClient client) {
        this(SpecificAvroSerde.<T>classOf(schema), client);
    }

    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecord> Class<T> classOf(Schema schema) {
        Class<?> type = SpecificData.get().getClass(schema);
        if (type == null || !SpecificRecord.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException("No generated SpecificRecord class for schema " + schema.getFullName());
        }
        return (Class<T>) type;
    }
}
