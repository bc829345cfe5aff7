package io.vlmstreams.inference.text;

/** Scanning Jinja template source for the end of a tag, shared by the source rewriters that run before Jinjava. */
final class JinjaTags {

    private JinjaTags() {
    }

    /**
     * Index of {@code closer} ({@code }}} or {@code %}}) ending the tag whose body starts at {@code from},
     * skipping string literals (a {@code %}} inside quotes does not close the tag); -1 if none.
     */
    static int closing(String s, int from, String closer) {
        char quote = 0;
        for (int i = from; i < s.length() - 1; i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (s.startsWith(closer, i)) {
                return i;
            }
        }
        return -1;
    }
}
