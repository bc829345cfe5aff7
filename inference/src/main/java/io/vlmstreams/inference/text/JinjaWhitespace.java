package io.vlmstreams.inference.text;

/**
 * Applies Python Jinja's {@code trim_blocks} and {@code lstrip_blocks} (which transformers turns on
 * for chat templates) to the template source, so that Jinjava, run without them, renders the same
 * text. Jinjava's own {@code lstripBlocks} also strips spaces before a tag in the middle of a line,
 * which Jinja keeps ({@code {{ a }} {% if b %}}). Rules, as in Jinja: whitespace from the start of a
 * line up to a block or comment tag is removed unless the tag opens with {@code {%+}; the first
 * newline after a block or comment tag is removed unless it closes with {@code +%}}; {@code -}
 * markers are left to Jinjava.
 */
final class JinjaWhitespace {

    private JinjaWhitespace() {
    }

    static String apply(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int i = 0;
        int n = source.length();
        while (i < n) {
            int open = nextTag(source, i);
            if (open < 0) {
                out.append(source, i, n);
                break;
            }
            out.append(source, i, open);
            char kind = source.charAt(open + 1);
            String closer = kind == '{' ? "}}" : kind == '%' ? "%}" : "#}";
            int close = kind == '#' ? source.indexOf(closer, open + 2) : JinjaTags.closing(source, open + 2, closer);
            if (close < 0) {
                out.append(source, open, n);
                break;
            }
            String tag = source.substring(open, close + 2);
            i = close + 2;
            if (kind == '{') {
                out.append(tag);
                continue;
            }
            char first = tag.length() > 2 ? tag.charAt(2) : ' ';
            if (first == '+') {
                tag = tag.substring(0, 2) + tag.substring(3);
            } else if (first != '-') {
                stripLineIndent(source, open, out);
            }
            char last = tag.charAt(tag.length() - 3);
            if (last == '+' && tag.length() > 5) {
                tag = tag.substring(0, tag.length() - 3) + tag.substring(tag.length() - 2);
            } else if (last != '-') {
                if (source.startsWith("\r\n", i)) {
                    i += 2;
                } else if (i < n && source.charAt(i) == '\n') {
                    i++;
                }
            }
            out.append(tag);
        }
        return out.toString();
    }

    private static int nextTag(String s, int from) {
        for (int i = s.indexOf('{', from); i >= 0 && i < s.length() - 1; i = s.indexOf('{', i + 1)) {
            char c = s.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') {
                return i;
            }
        }
        return -1;
    }

    /**
     * Drops the spaces and tabs before the tag at {@code open} when only they stand between it and
     * the start of its source line (they are the last characters written to {@code out}).
     */
    private static void stripLineIndent(String source, int open, StringBuilder out) {
        int j = open;
        while (j > 0 && (source.charAt(j - 1) == ' ' || source.charAt(j - 1) == '\t')) {
            j--;
        }
        if (j == 0 || source.charAt(j - 1) == '\n') {
            out.setLength(out.length() - (open - j));
        }
    }
}
