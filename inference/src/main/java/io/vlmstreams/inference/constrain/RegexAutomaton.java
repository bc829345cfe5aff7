package io.vlmstreams.inference.constrain;

import org.apache.lucene.util.automaton.Automata;
import org.apache.lucene.util.automaton.Automaton;
import org.apache.lucene.util.automaton.Operations;
import org.apache.lucene.util.automaton.RegExp;

/**
 * Regular expressions as automata, through Lucene's {@link RegExp} (code points; {@link #toUtf8} for bytes). The common ECMA forms
 * ({@code [a-z]}, {@code \d \w \s}, {@code {m,n}}, {@code | ? * +}, groups) read the same; Lucene's
 * own extras ({@code & ~ < > # @}) are off and a {@code "} is literal. JSON Schema's {@code pattern}
 * matches anywhere in the string unless anchored with {@code ^} / {@code $}; a response regex must
 * match the whole answer.
 */
public final class RegexAutomaton {

    private RegexAutomaton() { }

    /** The UTF-8 bytes of the strings {@code regex} matches as a whole (a leading {@code ^} and trailing {@code $} are allowed). */
    public static Automaton fullMatch(String regex) {
        Anchored a = Anchored.of(regex);
        return toUtf8(parse(a.body));
    }

    /** A code-point automaton over UTF-8 bytes, determinized (surrogates, having no UTF-8 form, dropped). */
    static Automaton toUtf8(Automaton codePoints) {
        Automaton noSurrogates = Operations.intersection(codePoints, Operations.repeat(Operations.union(
                Automata.makeCharRange(0, 0xD7FF), Automata.makeCharRange(0xE000, 0x10FFFF))));
        return JsonSchemaAutomaton.det(new org.apache.lucene.util.automaton.UTF32ToUTF8().convert(noSurrogates));
    }

    /** The code-point strings containing a match of {@code pattern} (JSON Schema {@code pattern} semantics). */
    public static Automaton search(String pattern) {
        Anchored a = Anchored.of(pattern);
        Automaton body = parse(a.body);
        Automaton any = Automata.makeAnyString();
        return Operations.concatenate(java.util.List.of(a.start ? Automata.makeEmptyString() : any, body,
                a.end ? Automata.makeEmptyString() : any));
    }

    private static Automaton parse(String regex) {
        try {
            return new RegExp(escapeQuotes(regex), RegExp.NONE).toAutomaton();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid regular expression '" + regex + "': " + e.getMessage(), e);
        }
    }

    /** Lucene reads {@code "..."} as a quoted literal; ECMA does not quote. */
    private static String escapeQuotes(String regex) {
        StringBuilder out = new StringBuilder(regex.length() + 4);
        boolean escaped = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '"' && !escaped) {
                out.append('\\');
            }
            out.append(c);
            escaped = c == '\\' && !escaped;
        }
        return out.toString();
    }

    /** A pattern without its anchors, and which it had. */
    private record Anchored(String body, boolean start, boolean end) {
        static Anchored of(String p) {
            boolean start = p.startsWith("^");
            String body = start ? p.substring(1) : p;
            boolean end = body.endsWith("$") && !escapedAt(body, body.length() - 1);
            return new Anchored(end ? body.substring(0, body.length() - 1) : body, start, end);
        }

        private static boolean escapedAt(String s, int i) {
            int slashes = 0;
            for (int j = i - 1; j >= 0 && s.charAt(j) == '\\'; j--) {
                slashes++;
            }
            return slashes % 2 == 1;
        }
    }
}
