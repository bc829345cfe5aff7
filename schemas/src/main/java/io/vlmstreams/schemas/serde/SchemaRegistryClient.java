package io.vlmstreams.schemas.serde;

import java.util.List;

import org.apache.avro.Schema;

/**
 * The subset of Confluent Schema Registry's API the serdes and tools need. Failures surface as
 * {@link SchemaRegistryException} (404: {@link SchemaNotFoundException}, 409:
 * {@link IncompatibleSchemaException}, 422: {@link InvalidSchemaException}). Implementations are
 * thread-safe.
 */
public interface SchemaRegistryClient extends AutoCloseable {

    /** Registers {@code schema} under {@code subject} (idempotent) and returns its global id. */
    int register(String subject, Schema schema);

    /** The id of {@code schema} if it is registered under {@code subject}, without registering it. */
    int getId(String subject, Schema schema);

    /** The schema with global id {@code id}. */
    Schema getById(int id);

    /** The latest version of {@code subject}. */
    RegisteredSchema getLatest(String subject);

    /** Version {@code version} (1-based) of {@code subject}. */
    RegisteredSchema getVersion(String subject, int version);

    /** The version numbers of {@code subject}, ascending. */
    List<Integer> getVersions(String subject);

    /** All subjects with at least one version. */
    List<String> getSubjects();

    /** The level that applies to {@code subject}: its own, else the global one. */
    CompatibilityLevel getCompatibility(String subject);

    /** Sets {@code subject}'s own compatibility level. */
    void setCompatibility(String subject, CompatibilityLevel level);

    /** Releases resources; the in-memory registries keep their contents. */
    @Override
    default void close() {
    }
}
