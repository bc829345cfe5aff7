package io.vlmstreams.inference.constrain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.lucene.util.automaton.Automata;
import org.apache.lucene.util.automaton.Automaton;
import org.apache.lucene.util.automaton.Operations;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Compiles a JSON Schema to the automaton over UTF-8 bytes of the compact JSON texts (no whitespace)
 * it admits (built on bytes throughout: converting a whole schema's code-point ranges to UTF-8 at the
 * end costs hundreds of milliseconds, one JSON string character converted once costs nothing). The subset: {@code type} (one or a list), object {@code properties} in their written order
 * with {@code required} (optional ones may be left out; no other property is ever written, so
 * {@code additionalProperties} holds whatever it says), {@code enum}, {@code const}, strings with
 * {@code minLength}/{@code maxLength}/{@code pattern}, integers and numbers with
 * {@code minimum}/{@code maximum}/{@code exclusiveMinimum}/{@code exclusiveMaximum}, booleans, null,
 * arrays with {@code items} and {@code minItems}/{@code maxItems}, nesting, {@code anyOf}, and local
 * {@code $ref} ({@code #/...}, not recursive). Annotations (title, description, ...) are ignored.
 * Anything else fails with {@link UnsupportedSchemaException} naming the keyword.
 *
 * <p>What is generated is always valid, sometimes a subset of what is valid: numbers never use
 * exponents and carry at most {@value #FRACTION_DIGITS} fraction digits, number bounds that are not
 * integers are rounded inward, and strings use only the short escapes.
 */
public final class JsonSchemaAutomaton {

    static final int FRACTION_DIGITS = 8;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ANNOTATIONS = Set.of("title", "description", "$schema", "$id", "$comment",
            "examples", "default", "deprecated", "readOnly", "writeOnly", "$defs", "definitions", "additionalProperties");
    private static final Set<String> SUPPORTED = Set.of("type", "properties", "required", "enum", "const",
            "minLength", "maxLength", "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
            "items", "minItems", "maxItems", "anyOf", "$ref");
    private static final Set<String> TYPES = Set.of("object", "array", "string", "integer", "number", "boolean", "null");

    private final JsonNode root;
    private final Set<String> expanding = new HashSet<>();

    private JsonSchemaAutomaton(JsonNode root) {
        this.root = root;
    }

    /** The automaton of schema {@code schemaJson}; a keyword outside the subset fails naming it. */
    public static Automaton compile(String schemaJson) {
        JsonNode root;
        try {
            root = JSON.readTree(schemaJson);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("JSON schema is not valid JSON: " + e.getOriginalMessage(), e);
        }
        return compile(root);
    }

    public static Automaton compile(JsonNode schema) {
        return new JsonSchemaAutomaton(schema).value(schema, "#");
    }

    // ASCII-only pieces below (digits, signs, brackets) are the same as bytes and as code points

    /** The keywords of the subset (annotations aside). */
    public static Set<String> supportedKeywords() {
        return SUPPORTED;
    }

    private Automaton value(JsonNode s, String where) {
        if (s.isBoolean()) {
            if (!s.asBoolean()) {
                throw new UnsupportedSchemaException("false", where, "a schema that admits nothing");
            }
            throw new UnsupportedSchemaException("true", where, "any JSON value cannot be constrained; give a type");
        }
        if (!s.isObject()) {
            throw new IllegalArgumentException("JSON schema at " + where + " is not an object");
        }
        for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!SUPPORTED.contains(k) && !ANNOTATIONS.contains(k)) {
                throw new UnsupportedSchemaException(k, where, null);
            }
        }
        List<Automaton> all = new ArrayList<>();
        if (s.has("$ref")) {
            all.add(ref(s.get("$ref").asText(), where));
        }
        if (s.has("anyOf")) {
            List<Automaton> options = new ArrayList<>();
            JsonNode any = s.get("anyOf");
            for (int i = 0; i < any.size(); i++) {
                options.add(value(any.get(i), where + "/anyOf/" + i));
            }
            if (options.isEmpty()) {
                throw new UnsupportedSchemaException("anyOf", where, "empty");
            }
            all.add(Operations.union(options));
        }
        if (s.has("enum") || s.has("const")) {
            List<Automaton> literals = new ArrayList<>();
            if (s.has("const")) {
                literals.add(literal(s.get("const")));
            }
            for (JsonNode v : s.path("enum")) {
                literals.add(literal(v));
            }
            all.add(Operations.union(literals));
        }
        if (s.has("type")) {
            all.add(typed(s, where));
        } else if (all.isEmpty()) {
            throw new UnsupportedSchemaException(firstKeyword(s), where, "a schema without type, enum, const, anyOf or $ref admits any JSON value");
        }
        if (all.size() == 1) {
            return all.get(0);
        }
        Automaton a = det(all.get(0));
        for (int i = 1; i < all.size(); i++) {
            a = det(Operations.intersection(a, det(all.get(i))));
        }
        return a;
    }

    private static String firstKeyword(JsonNode s) {
        Iterator<String> it = s.fieldNames();
        return it.hasNext() ? it.next() : "type";
    }

    private Automaton typed(JsonNode s, String where) {
        JsonNode t = s.get("type");
        Set<String> types = new LinkedHashSet<>();
        if (t.isArray()) {
            t.forEach(n -> types.add(n.asText()));
        } else {
            types.add(t.asText());
        }
        List<Automaton> out = new ArrayList<>();
        for (String type : types) {
            if (!TYPES.contains(type)) {
                throw new UnsupportedSchemaException("type", where, "unknown type '" + type + "'");
            }
            out.add(switch (type) {
                case "object" -> object(s, where);
                case "array" -> array(s, where);
                case "string" -> string(s, where);
                case "integer" -> integer(s, where);
                case "number" -> number(s, where);
                case "boolean" -> Operations.union(bytes("true"), bytes("false"));
                default -> bytes("null");
            });
        }
        return Operations.union(out);
    }

    private Automaton ref(String ref, String where) {
        if (!ref.startsWith("#")) {
            throw new UnsupportedSchemaException("$ref", where, "only local references (#/...) are supported, not '" + ref + "'");
        }
        if (!expanding.add(ref)) {
            throw new UnsupportedSchemaException("$ref", where, "recursive reference '" + ref + "'");
        }
        try {
            JsonNode target = root.at(ref.substring(1));
            if (target.isMissingNode()) {
                throw new IllegalArgumentException("JSON schema $ref '" + ref + "' at " + where + " points to nothing");
            }
            return value(target, ref);
        } finally {
            expanding.remove(ref);
        }
    }

    private Automaton object(JsonNode s, String where) {
        JsonNode props = s.path("properties");
        List<String> names = new ArrayList<>();
        props.fieldNames().forEachRemaining(names::add);
        Set<String> required = new HashSet<>();
        for (JsonNode r : s.path("required")) {
            if (!props.has(r.asText())) {
                throw new UnsupportedSchemaException("required", where,
                        "'" + r.asText() + "' is required but not in properties (no other property is generated)");
            }
            required.add(r.asText());
        }
        List<Automaton> members = new ArrayList<>();
        for (String name : names) {
            members.add(Operations.concatenate(List.of(bytes(jsonString(name) + ":"),
                    value(props.get(name), where + "/properties/" + name))));
        }
        // the first property written is i: every one before it is optional and left out
        List<Automaton> bodies = new ArrayList<>();
        boolean allOptional = true;
        for (int i = 0; i < names.size() && allOptional; i++) {
            List<Automaton> seq = new ArrayList<>();
            seq.add(members.get(i));
            for (int j = i + 1; j < names.size(); j++) {
                Automaton m = Operations.concatenate(Automata.makeChar(','), members.get(j));
                seq.add(required.contains(names.get(j)) ? m : Operations.optional(m));
            }
            bodies.add(Operations.concatenate(seq));
            allOptional = !required.contains(names.get(i));
        }
        if (allOptional) {
            bodies.add(Automata.makeEmptyString());
        }
        return Operations.concatenate(List.of(Automata.makeChar('{'), Operations.union(bodies), Automata.makeChar('}')));
    }

    private Automaton array(JsonNode s, String where) {
        if (!s.has("items") || !s.get("items").isObject()) {
            throw new UnsupportedSchemaException("items", where, "an array needs one 'items' schema");
        }
        Automaton item = value(s.get("items"), where + "/items");
        int min = s.path("minItems").asInt(0);
        int max = s.has("maxItems") ? s.get("maxItems").asInt() : -1;
        if (max >= 0 && max < min) {
            throw new IllegalArgumentException("JSON schema at " + where + ": maxItems " + max + " < minItems " + min);
        }
        Automaton more = Operations.concatenate(Automata.makeChar(','), item);
        Automaton tail = max < 0 ? Operations.repeat(more, Math.max(0, min - 1))
                : Operations.repeat(more, Math.max(0, min - 1), Math.max(0, max - 1));
        Automaton nonEmpty = Operations.concatenate(item, tail);
        Automaton body = min == 0 ? (max == 0 ? Automata.makeEmptyString() : Operations.optional(nonEmpty)) : nonEmpty;
        return Operations.concatenate(List.of(Automata.makeChar('['), body, Automata.makeChar(']')));
    }

    private Automaton string(JsonNode s, String where) {
        int min = s.path("minLength").asInt(0);
        int max = s.has("maxLength") ? s.get("maxLength").asInt() : -1;
        Automaton content;
        if (s.has("pattern")) {
            // a pattern is over the string's characters: write them unescaped, so pattern and text agree
            Automaton any = JsonSchemaAutomaton.plainCodePoint();
            Automaton chars = max < 0 ? Operations.repeat(any, min) : Operations.repeat(any, min, max);
            Automaton matching = Operations.intersection(chars, RegexAutomaton.search(s.get("pattern").asText()));
            content = RegexAutomaton.toUtf8(matching);
        } else {
            content = CharRepeat.of(CHAR_OR_ESCAPE, min, max);
        }
        return Operations.concatenate(List.of(Automata.makeChar('"'), content, Automata.makeChar('"')));
    }

    /** One character of a JSON string as UTF-8 bytes: unescaped or a short escape; made once. */
    private static final Automaton CHAR_OR_ESCAPE = org.apache.lucene.util.automaton.MinimizationOperations.minimize(
            Operations.union(RegexAutomaton.toUtf8(plainCodePoint()), escape()), ByteDfa.WORK_LIMIT);

    /**
     * Determinized (not minimized: Lucene's minimization works over the code-point alphabet and costs
     * hundreds of milliseconds on a schema's automaton, while determinizing what is built here leaves
     * it within a few percent of minimal).
     */
    static Automaton det(Automaton a) {
        return a.isDeterministic() ? a : Operations.determinize(a, ByteDfa.WORK_LIMIT);
    }

    /** The UTF-8 bytes of {@code s} as an automaton (one byte per transition). */
    static Automaton bytes(String s) {
        return Automata.makeBinary(new org.apache.lucene.util.BytesRef(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** A code point a JSON string may hold unescaped (no surrogates: they have no UTF-8 form). */
    static Automaton plainCodePoint() {
        return Operations.union(List.of(Automata.makeCharRange(0x20, 0x21), Automata.makeCharRange(0x23, 0x5B),
                Automata.makeCharRange(0x5D, 0xD7FF), Automata.makeCharRange(0xE000, 0x10FFFF)));
    }

    private static Automaton escape() {
        List<Automaton> c = new ArrayList<>();
        for (char e : "\"\\/bfnrt".toCharArray()) {
            c.add(Automata.makeChar(e));
        }
        return Operations.concatenate(Automata.makeChar('\\'), Operations.union(c));
    }

    private Automaton integer(JsonNode s, String where) {
        // a negative integer's magnitude starts at 1: "-0" is not written
        return signed(s, where, 1, JsonSchemaAutomaton::magnitudes, "integer bounds admit no value");
    }

    private Automaton number(JsonNode s, String where) {
        return signed(s, where, 0, JsonSchemaAutomaton::fractional, "number bounds admit no value");
    }

    /**
     * Values within the schema's bounds, written by {@code magnitudes} (magnitude range [from, to], to null:
     * unbounded) with a leading minus for the negative side, whose magnitudes start at {@code negativeFrom}.
     * Exclusive bounds are rounded inward to integers the value may equal: a valid subset.
     */
    private Automaton signed(JsonNode s, String where, long negativeFrom,
                             java.util.function.BiFunction<Long, Long, Automaton> magnitudes, String empty) {
        Long lo = bound(s, "minimum", where, RoundingMode.CEILING);
        Long hi = bound(s, "maximum", where, RoundingMode.FLOOR);
        Long exLo = bound(s, "exclusiveMinimum", where, RoundingMode.FLOOR);
        Long exHi = bound(s, "exclusiveMaximum", where, RoundingMode.CEILING);
        lo = max(lo, exLo == null ? null : exLo + 1);
        hi = min(hi, exHi == null ? null : exHi - 1);
        List<Automaton> parts = new ArrayList<>();
        if (hi == null || hi >= 0) {
            parts.add(magnitudes.apply(lo == null ? 0 : Math.max(0, lo), hi));
        }
        if (lo == null || lo < 0) {
            long from = hi == null || hi >= 0 ? negativeFrom : -hi;
            parts.add(Operations.concatenate(Automata.makeChar('-'), magnitudes.apply(from, lo == null ? null : -lo)));
        }
        return checkedNonEmpty(Operations.union(parts), where, empty);
    }

    /** Decimals of magnitude in [from, to] (to null: unbounded): integer part then an optional fraction. */
    private static Automaton fractional(long from, Long to) {
        Automaton digits = Operations.repeat(Automata.makeCharRange('0', '9'), 1, FRACTION_DIGITS);
        Automaton fraction = Operations.concatenate(Automata.makeChar('.'), digits);
        if (to == null) {
            return Operations.concatenate(magnitudes(from, null), Operations.optional(fraction));
        }
        if (to < from) {
            return Automata.makeEmpty();
        }
        Automaton zeros = Operations.concatenate(Automata.makeChar('.'),
                Operations.repeat(Automata.makeChar('0'), 1, FRACTION_DIGITS));
        Automaton top = Operations.concatenate(magnitudes(to, to), Operations.optional(zeros));
        if (to == from) {
            return top;
        }
        return Operations.union(Operations.concatenate(magnitudes(from, to - 1), Operations.optional(fraction)), top);
    }

    /** Canonical decimal integers (no leading zeros) in [from, to], from >= 0; to null for no upper bound. */
    static Automaton magnitudes(long from, Long to) {
        Automaton canonical = Operations.union(Automata.makeChar('0'),
                Operations.concatenate(Automata.makeCharRange('1', '9'), Operations.repeat(Automata.makeCharRange('0', '9'))));
        if (to != null && to < from) {
            return Automata.makeEmpty();
        }
        if (to != null && to <= Integer.MAX_VALUE) {
            return Operations.intersection(Automata.makeDecimalInterval((int) from, (int) (long) to, 0), canonical);
        }
        // no upper bound (or one past int): every number with more digits than `from`, plus those as long as it
        int d = Long.toString(from).length();
        Automaton longer = Operations.concatenate(Automata.makeCharRange('1', '9'),
                Operations.repeat(Automata.makeCharRange('0', '9'), d));
        if (from > Integer.MAX_VALUE || d > 9) {
            return longer;
        }
        long top = (long) Math.pow(10, d) - 1;
        return Operations.union(Operations.intersection(Automata.makeDecimalInterval((int) from, (int) top, 0), canonical), longer);
    }

    private static Automaton checkedNonEmpty(Automaton a, String where, String why) {
        if (Operations.isEmpty(a)) {
            throw new IllegalArgumentException("JSON schema at " + where + ": " + why);
        }
        return a;
    }

    private static Long bound(JsonNode s, String key, String where, RoundingMode inward) {
        JsonNode n = s.get(key);
        if (n == null) {
            return null;
        }
        if (!n.isNumber()) {
            throw new UnsupportedSchemaException(key, where, "a number is expected (draft-4 boolean form is not supported)");
        }
        BigDecimal v = n.decimalValue().setScale(0, inward);
        if (v.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE / 2)) > 0) {
            return null;
        }
        return v.longValueExact();
    }

    private static Long max(Long a, Long b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        return Long.valueOf(Math.max(a, b));
    }

    private static Long min(Long a, Long b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        return Long.valueOf(Math.min(a, b));
    }

    private static Automaton literal(JsonNode v) {
        try {
            return bytes(JSON.writeValueAsString(v));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String jsonString(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
