package io.vlmstreams.schemas.serde;

import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/** Parsing schema text the way a registry does: one fresh parser per schema, errors as HTTP 422. */
public final class AvroSchemas {

    private AvroSchemas() {
    }

    /**
     * Parses Avro schema JSON.
     *
     * @throws InvalidSchemaException (error_code 42201) if the text is not a valid Avro schema
     */
    public static Schema parse(String schemaText) {
        if (schemaText == null || schemaText.isBlank()) {
            throw new InvalidSchemaException(SchemaRegistryException.INVALID_SCHEMA, "Empty schema");
        }
        try {
            // A fresh parser each time: a parser remembers names, and registries parse unrelated schemas.
            return new Schema.Parser().parse(schemaText);
        } catch (SchemaParseException | IllegalArgumentException e) {
            throw new InvalidSchemaException(SchemaRegistryException.INVALID_SCHEMA, "Invalid schema: " + e.getMessage(), e);
        }
    }
}
