package io.vlmstreams.schemas.serde;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * A subject's compatibility level, with Confluent's meaning: BACKWARD means the new schema can read
 * data written with the latest one, FORWARD the reverse, FULL both; TRANSITIVE checks every earlier
 * version instead of only the latest.
 */
public enum CompatibilityLevel {
    NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE;

    /** Parses a level name as the registry's REST API spells it, case-insensitively. */
    public static CompatibilityLevel parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidSchemaException(SchemaRegistryException.INVALID_COMPATIBILITY_LEVEL,
                    "Invalid compatibility level: " + name);
        }
    }

    /**
     * Why {@code candidate} may not follow {@code previous} (oldest first) under this level; empty
     * when it may.
     */
    public List<String> violations(Schema candidate, List<Schema> previous) {
        if (this == NONE || previous.isEmpty()) {
            return List.of();
        }
        boolean transitive = name().endsWith("_TRANSITIVE");
        List<Schema> checked = transitive ? previous : previous.subList(previous.size() - 1, previous.size());
        boolean backward = this != FORWARD && this != FORWARD_TRANSITIVE;
        boolean forward = this != BACKWARD && this != BACKWARD_TRANSITIVE;
        List<String> violations = new ArrayList<>();
        for (Schema earlier : checked) {
            if (backward) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(candidate, earlier),
                        "new schema cannot read data written with an earlier one", violations);
            }
            if (forward) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(earlier, candidate),
                        "an earlier schema cannot read data written with the new one", violations);
            }
        }
        return violations;
    }

    private static void describe(SchemaPairCompatibility result, String what, List<String> violations) {
        if (result.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            return;
        }
        result.getResult().getIncompatibilities().forEach(i -> violations.add(
                what + ": " + i.getType() + " at " + i.getLocation() + " (" + i.getMessage() + ")"));
        if (result.getResult().getIncompatibilities().isEmpty()) {
            violations.add(what + ": " + result.getDescription());
        }
    }
}
