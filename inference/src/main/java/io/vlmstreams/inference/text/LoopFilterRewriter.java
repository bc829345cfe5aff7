package io.vlmstreams.inference.text;

/**
 * Rewrites Jinja's filtered loops, {@code {% for x in items if cond %}}, which Jinjava lacks: it
 * reads {@code items if cond} as a conditional expression and silently loops over nothing. The tag
 * becomes a loop collecting the matching items into a fresh list followed by the loop over that list,
 * so {@code loop.index}, {@code loop.last} and the like count only the matching items, as in Jinja.
 */
final class LoopFilterRewriter {

    private LoopFilterRewriter() {
    }

    static String rewrite(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int counter = 0;
        int from = 0;
        for (int open = source.indexOf("{%", from); open >= 0; open = source.indexOf("{%", from)) {
            int close = JinjaTags.closing(source, open + 2, "%}");
            if (close < 0) {
                break;
            }
            String rewritten = rewriteTag(source.substring(open, close + 2), counter);
            if (rewritten != null) {
                counter++;
            }
            out.append(source, from, open).append(rewritten != null ? rewritten : source.substring(open, close + 2));
            from = close + 2;
        }
        return out.append(source.substring(from)).toString();
    }

    /** The replacement of one {@code {% ... %}} tag, or null when it is not a filtered for loop. */
    private static String rewriteTag(String tag, int n) {
        String inner = tag.substring(2, tag.length() - 2);
        String openMark = inner.startsWith("-") || inner.startsWith("+") ? inner.substring(0, 1) : "";
        String closeMark = inner.endsWith("-") || inner.endsWith("+") ? inner.substring(inner.length() - 1) : "";
        String body = inner.substring(openMark.length(), inner.length() - closeMark.length()).trim();
        if (!body.startsWith("for ") && !body.startsWith("for\t")) {
            return null;
        }
        int in = topLevelKeyword(body, "in", 4);
        if (in < 0) {
            return null;
        }
        int cond = topLevelKeyword(body, "if", in + 2);
        if (cond < 0 || topLevelKeyword(body, "else", cond + 2) >= 0) {
            // no filter, or a conditional expression as the iterable: Jinjava handles those
            return null;
        }
        String target = body.substring(4, in).trim();
        String iterable = body.substring(in + 2, cond).trim();
        String condition = body.substring(cond + 2).trim();
        if (condition.endsWith(" recursive")) {
            return null;
        }
        String list = "__vlm_filtered_" + n;
        String item = target.contains(",") ? "[" + target + "]" : target;
        return "{%" + openMark + " set " + list + " = [] %}"
                + "{% for " + target + " in " + iterable + " %}{% if " + condition + " %}"
                + "{% do " + list + ".append(" + item + ") %}{% endif %}{% endfor %}"
                + "{% for " + target + " in " + list + " " + closeMark + "%}";
    }

    /**
     * Position of {@code word} as a whole word outside strings and brackets, searching from
     * {@code from}; -1 if absent.
     */
    private static int topLevelKeyword(String s, String word, int from) {
        int depth = 0;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
                continue;
            }
            if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (depth == 0 && i >= from && s.startsWith(word, i)
                    && (i == 0 || !isWordChar(s.charAt(i - 1)))
                    && (i + word.length() == s.length() || !isWordChar(s.charAt(i + word.length())))) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '.';
    }
}
