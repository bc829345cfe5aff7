package io.vlmstreams.inference.text;

import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Python {@code str} methods for Jinjava, which otherwise only offers Java's {@code String} methods:
 * chat templates written for Python Jinja call {@code content.startswith('<')}, {@code role.upper()},
 * {@code text.split()} and the like. Resolves only calls on strings with a Python method name and
 * leaves everything else to the next resolver.
 */
final class PythonStringMethods extends ELResolver {

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (!(base instanceof String) || !(method instanceof String)) {
            return null;
        }
        Object[] p = params == null ? new Object[0] : params;
        Object result = call((String) base, (String) method, p);
        if (result != NOT_HANDLED) {
            context.setPropertyResolved(true);
            return result;
        }
        return null;
    }

    private static final Object NOT_HANDLED = new Object();

    private static Object call(String s, String method, Object[] p) {
        switch (method) {
            case "startswith": return p.length == 1 ? anyMatch(p[0], s::startsWith) : NOT_HANDLED;
            case "endswith": return p.length == 1 ? anyMatch(p[0], s::endsWith) : NOT_HANDLED;
            case "lower": return p.length == 0 ? s.toLowerCase(Locale.ROOT) : NOT_HANDLED;
            case "upper": return p.length == 0 ? s.toUpperCase(Locale.ROOT) : NOT_HANDLED;
            case "capitalize": return p.length == 0 ? capitalize(s) : NOT_HANDLED;
            case "title": return p.length == 0 ? title(s) : NOT_HANDLED;
            case "strip": return strip(s, p, true, true);
            case "lstrip": return strip(s, p, true, false);
            case "rstrip": return strip(s, p, false, true);
            case "split": return split(s, p);
            case "replace": return p.length == 2 ? s.replace(str(p[0]), str(p[1])) : NOT_HANDLED;
            case "find": return p.length == 1 ? (long) s.indexOf(str(p[0])) : NOT_HANDLED;
            case "count": return p.length == 1 ? count(s, str(p[0])) : NOT_HANDLED;
            case "join": return p.length == 1 && p[0] instanceof Iterable ? join(s, (Iterable<?>) p[0]) : NOT_HANDLED;
            default: return NOT_HANDLED;
        }
    }

    private static String str(Object o) {
        return o == null ? "None" : o.toString();
    }

    /** {@code startswith} takes a string or a tuple (list) of strings. */
    private static boolean anyMatch(Object arg, java.util.function.Predicate<String> test) {
        if (arg instanceof Iterable) {
            for (Object o : (Iterable<?>) arg) {
                if (test.test(str(o))) {
                    return true;
                }
            }
            return false;
        }
        return test.test(str(arg));
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
    }

    private static String title(String s) {
        StringBuilder b = new StringBuilder(s.length());
        boolean prevCased = false;
        for (char c : s.toCharArray()) {
            b.append(prevCased ? Character.toLowerCase(c) : Character.toUpperCase(c));
            prevCased = Character.isLetter(c);
        }
        return b.toString();
    }

    private static Object strip(String s, Object[] p, boolean left, boolean right) {
        if (p.length > 1) {
            return NOT_HANDLED;
        }
        String chars = p.length == 1 && p[0] != null ? str(p[0]) : null;
        int from = 0;
        int to = s.length();
        while (left && from < to && strippable(s.charAt(from), chars)) {
            from++;
        }
        while (right && to > from && strippable(s.charAt(to - 1), chars)) {
            to--;
        }
        return s.substring(from, to);
    }

    private static boolean strippable(char c, String chars) {
        return chars == null ? Character.isWhitespace(c) || Character.isSpaceChar(c) : chars.indexOf(c) >= 0;
    }

    /** Python semantics: no separator splits on whitespace runs and drops empties; a separator is literal. */
    private static Object split(String s, Object[] p) {
        if (p.length > 2) {
            return NOT_HANDLED;
        }
        String sep = p.length >= 1 && p[0] != null ? str(p[0]) : null;
        int max = p.length == 2 ? ((Number) p[1]).intValue() : -1;
        List<String> out = new ArrayList<>();
        if (sep == null) {
            int i = 0;
            while (i < s.length()) {
                while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                    i++;
                }
                if (i == s.length()) {
                    break;
                }
                if (max >= 0 && out.size() == max) {
                    out.add(s.substring(i).stripTrailing());
                    break;
                }
                int j = i;
                while (j < s.length() && !Character.isWhitespace(s.charAt(j))) {
                    j++;
                }
                out.add(s.substring(i, j));
                i = j;
            }
            return out;
        }
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("empty separator");
        }
        int from = 0;
        int at;
        while ((max < 0 || out.size() < max) && (at = s.indexOf(sep, from)) >= 0) {
            out.add(s.substring(from, at));
            from = at + sep.length();
        }
        out.add(s.substring(from));
        return out;
    }

    private static long count(String s, String sub) {
        if (sub.isEmpty()) {
            return s.length() + 1L;
        }
        long n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) {
            n++;
        }
        return n;
    }

    private static String join(String sep, Iterable<?> items) {
        StringBuilder b = new StringBuilder();
        boolean first = true;
        for (Object o : items) {
            if (!first) {
                b.append(sep);
            }
            b.append(str(o));
            first = false;
        }
        return b.toString();
    }

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
        // read-only: never resolves properties
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
