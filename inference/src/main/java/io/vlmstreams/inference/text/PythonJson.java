package io.vlmstreams.inference.text;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * JSON as Python's {@code json.dumps(x, ensure_ascii=False)} writes it, which is what the
 * {@code tojson} filter of transformers' chat templates produces: {@code ", "} and {@code ": "}
 * separators (only {@code ","} between items when indenting), keys in insertion order unless sorted,
 * non-ASCII characters kept. Jinjava's own {@code tojson} writes compact Jackson JSON instead, which
 * would change the tokens of tool lists and structured contents.
 */
final class PythonJson {

    private PythonJson() {
    }

    /** Serializes {@code value}; {@code indent} null for one line. */
    static String dumps(Object value, Integer indent, boolean sortKeys) {
        StringBuilder b = new StringBuilder();
        write(b, value, indent, sortKeys, 0);
        return b.toString();
    }

    private static void write(StringBuilder b, Object v, Integer indent, boolean sortKeys, int depth) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof Boolean) {
            b.append(((Boolean) v) ? "true" : "false");
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            b.append(Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity") : pythonFloat(d));
        } else if (v instanceof Number) {
            b.append(v);
        } else if (v instanceof Map) {
            List<Map.Entry<?, ?>> entries = new ArrayList<>(((Map<?, ?>) v).entrySet());
            if (sortKeys) {
                entries.sort((x, y) -> String.valueOf(x.getKey()).compareTo(String.valueOf(y.getKey())));
            }
            b.append('{');
            for (int i = 0; i < entries.size(); i++) {
                separate(b, i, indent, depth + 1);
                string(b, String.valueOf(entries.get(i).getKey()));
                b.append(": ");
                write(b, entries.get(i).getValue(), indent, sortKeys, depth + 1);
            }
            close(b, '}', entries.isEmpty(), indent, depth);
        } else if (v instanceof Iterable || v.getClass().isArray()) {
            List<Object> items = new ArrayList<>();
            if (v instanceof Iterable) {
                ((Iterable<?>) v).forEach(items::add);
            } else {
                for (int i = 0; i < Array.getLength(v); i++) {
                    items.add(Array.get(v, i));
                }
            }
            b.append('[');
            for (int i = 0; i < items.size(); i++) {
                separate(b, i, indent, depth + 1);
                write(b, items.get(i), indent, sortKeys, depth + 1);
            }
            close(b, ']', items.isEmpty(), indent, depth);
        } else {
            string(b, v.toString());
        }
    }

    private static void separate(StringBuilder b, int i, Integer indent, int depth) {
        if (i > 0) {
            b.append(indent == null ? ", " : ",");
        }
        if (indent != null) {
            b.append('\n').append(" ".repeat(indent * depth));
        }
    }

    private static void close(StringBuilder b, char c, boolean empty, Integer indent, int depth) {
        if (indent != null && !empty) {
            b.append('\n').append(" ".repeat(indent * depth));
        }
        b.append(c);
    }

    /** Python's float repr: shortest round-trip digits, exponent as {@code 1e-05}. */
    private static String pythonFloat(double d) {
        String s = Double.toString(d);
        int e = s.indexOf('E');
        if (e < 0) {
            return s;
        }
        String mantissa = s.substring(0, e);
        if (mantissa.endsWith(".0")) {
            mantissa = mantissa.substring(0, mantissa.length() - 2);
        }
        int exp = Integer.parseInt(s.substring(e + 1));
        if (exp >= -4 && exp < 16) {
            String plain = new java.math.BigDecimal(s).stripTrailingZeros().toPlainString();
            return plain.contains(".") ? plain : plain + ".0";
        }
        return mantissa + "e" + (exp < 0 ? "-" : "+") + String.format("%02d", Math.abs(exp));
    }

    private static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                case '\b': b.append("\\b"); break;
                case '\f': b.append("\\f"); break;
                default:
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
            }
        }
        b.append('"');
    }
}
