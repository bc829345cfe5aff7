package io.vlmstreams.inference.constrain;

import java.util.Objects;

/**
 * What shape a generated answer must have: a JSON Schema (the subset {@link JsonSchemaAutomaton}
 * compiles) or a regular expression the whole answer must match. Only the source text; the engine
 * compiles it once per model vocabulary ({@link Constraints}).
 *
 * @param source the schema as JSON text, or the regular expression
 */
public record ResponseFormat(Kind kind, String source) {

    /** How {@link #source} is read. */
    public enum Kind { JSON_SCHEMA, REGEX }

    public ResponseFormat {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(source, "source");
        if (source.isBlank()) {
            throw new IllegalArgumentException("empty " + (kind == Kind.REGEX ? "regular expression" : "JSON schema"));
        }
    }

    public static ResponseFormat jsonSchema(String schemaJson) {
        return new ResponseFormat(Kind.JSON_SCHEMA, schemaJson);
    }

    public static ResponseFormat regex(String regex) {
        return new ResponseFormat(Kind.REGEX, regex);
    }

    /** The answers this format admits, as an automaton over their UTF-8 bytes. */
    public org.apache.lucene.util.automaton.Automaton automaton() {
        return kind == Kind.REGEX ? RegexAutomaton.fullMatch(source) : JsonSchemaAutomaton.compile(source);
    }
}
