package io.vlmstreams.schemas.serde;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import org.apache.avro.Schema;

/**
 * An in-memory schema registry with Confluent's semantics: ids are global and assigned per distinct
 * schema text (so the same schema under two subjects shares one id), registering a schema a subject
 * already has returns its id without a new version, and registrations are checked against the
 * subject's compatibility level (global default BACKWARD, as in Confluent). Errors are the same
 * {@link SchemaRegistryException}s, with the same HTTP statuses and error codes, as a real registry's.
 *
 * <p>{@code schema.registry.url=mock://<scope>} selects {@link #forScope(String)}: one shared
 * instance per scope, isolated from other scopes, living until {@link #dropScope(String)}.
 * {@code new MockSchemaRegistry()} makes a private one (the test HTTP server in testkit serves one).
 */
public final class MockSchemaRegistry implements SchemaRegistryClient {

    /** URL prefix selecting a scoped mock registry. */
    public static final String URL_PREFIX = "mock://";

    private static final ConcurrentMap<String, MockSchemaRegistry> SCOPES = new ConcurrentHashMap<>();

    private final Map<String, Integer> idsByText = new HashMap<>();
    private final Map<Integer, Schema> schemasById = new HashMap<>();
    private final Map<String, List<Integer>> idsBySubject = new LinkedHashMap<>();
    private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
    private CompatibilityLevel globalLevel = CompatibilityLevel.BACKWARD;
    private int nextId = 1;

    /** The registry shared by every {@code mock://<scope>} client of this JVM. */
    public static MockSchemaRegistry forScope(String scope) {
        return SCOPES.computeIfAbsent(Objects.requireNonNull(scope, "scope"), s -> new MockSchemaRegistry());
    }

    /** Forgets a scope; later {@link #forScope(String)} calls start empty. */
    public static void dropScope(String scope) {
        SCOPES.remove(scope);
    }

    /** The scope named by a {@code mock://<scope>} URL. */
    public static String scopeOf(String url) {
        if (!url.startsWith(URL_PREFIX)) {
            throw new IllegalArgumentException("Not a mock:// URL: " + url);
        }
        String scope = url.substring(URL_PREFIX.length());
        return scope.endsWith("/") ? scope.substring(0, scope.length() - 1) : scope;
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        String text = schema.toString();
        List<Integer> ids = idsBySubject.getOrDefault(subject, List.of());
        Integer known = idsByText.get(text);
        if (known != null && ids.contains(known)) {
            return known;
        }
        CompatibilityLevel level = getCompatibility(subject);
        List<String> violations = level.violations(schema, ids.stream().map(schemasById::get).toList());
        if (!violations.isEmpty()) {
            throw new IncompatibleSchemaException(SchemaRegistryException.INCOMPATIBLE_SCHEMA,
                    "Schema being registered is incompatible with an earlier schema for subject \"" + subject
                            + "\" (" + level + "): " + String.join("; ", violations));
        }
        int id = known != null ? known : newId(text, schema);
        idsBySubject.computeIfAbsent(subject, s -> new ArrayList<>()).add(id);
        return id;
    }

    /** Parses and registers schema text, as the REST endpoint does. */
    public int register(String subject, String schemaText) {
        return register(subject, AvroSchemas.parse(schemaText));
    }

    @Override
    public synchronized int getId(String subject, Schema schema) {
        return lookup(subject, schema).id();
    }

    /** The version of {@code subject} holding {@code schema}. */
    public synchronized RegisteredSchema lookup(String subject, Schema schema) {
        List<Integer> ids = versionsOf(subject);
        Integer id = idsByText.get(schema.toString());
        int index = id == null ? -1 : ids.indexOf(id);
        if (index < 0) {
            throw new SchemaNotFoundException(SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema not found");
        }
        return new RegisteredSchema(subject, index + 1, id, schemasById.get(id));
    }

    @Override
    public synchronized Schema getById(int id) {
        Schema schema = schemasById.get(id);
        if (schema == null) {
            throw new SchemaNotFoundException(SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema " + id + " not found");
        }
        return schema;
    }

    @Override
    public synchronized RegisteredSchema getLatest(String subject) {
        return getVersion(subject, versionsOf(subject).size());
    }

    @Override
    public synchronized RegisteredSchema getVersion(String subject, int version) {
        List<Integer> ids = versionsOf(subject);
        if (version < 1 || version > ids.size()) {
            throw new SchemaNotFoundException(SchemaRegistryException.VERSION_NOT_FOUND, "Version " + version + " not found.");
        }
        int id = ids.get(version - 1);
        return new RegisteredSchema(subject, version, id, schemasById.get(id));
    }

    @Override
    public synchronized List<Integer> getVersions(String subject) {
        int count = versionsOf(subject).size();
        List<Integer> versions = new ArrayList<>(count);
        for (int v = 1; v <= count; v++) {
            versions.add(v);
        }
        return versions;
    }

    @Override
    public synchronized List<String> getSubjects() {
        return List.copyOf(idsBySubject.keySet());
    }

    /** Every (subject, version) that holds schema {@code id}. */
    public synchronized List<RegisteredSchema> usagesOf(int id) {
        Schema schema = getById(id);
        List<RegisteredSchema> usages = new ArrayList<>();
        idsBySubject.forEach((subject, ids) -> {
            for (int i = 0; i < ids.size(); i++) {
                if (ids.get(i) == id) {
                    usages.add(new RegisteredSchema(subject, i + 1, id, schema));
                }
            }
        });
        return usages;
    }

    /** Deletes a subject and returns the versions it had; schema ids stay resolvable, as in Confluent. */
    public synchronized List<Integer> deleteSubject(String subject) {
        List<Integer> versions = getVersions(subject);
        idsBySubject.remove(subject);
        subjectLevels.remove(subject);
        return versions;
    }

    @Override
    public synchronized CompatibilityLevel getCompatibility(String subject) {
        return subjectLevels.getOrDefault(subject, globalLevel);
    }

    /** The subject's own level, empty when it follows the global one. */
    public synchronized Optional<CompatibilityLevel> getSubjectCompatibility(String subject) {
        return Optional.ofNullable(subjectLevels.get(subject));
    }

    @Override
    public synchronized void setCompatibility(String subject, CompatibilityLevel level) {
        subjectLevels.put(subject, Objects.requireNonNull(level, "level"));
    }

    /** The level for subjects without their own. */
    public synchronized CompatibilityLevel getGlobalCompatibility() {
        return globalLevel;
    }

    public synchronized void setGlobalCompatibility(CompatibilityLevel level) {
        globalLevel = Objects.requireNonNull(level, "level");
    }

    @Override
    public String toString() {
        return "MockSchemaRegistry[subjects=" + getSubjects() + "]";
    }

    private int newId(String text, Schema schema) {
        int id = nextId++;
        idsByText.put(text, id);
        schemasById.put(id, schema);
        return id;
    }

    private List<Integer> versionsOf(String subject) {
        List<Integer> ids = idsBySubject.get(subject);
        if (ids == null) {
            throw new SchemaNotFoundException(SchemaRegistryException.SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
        }
        return ids;
    }
}
