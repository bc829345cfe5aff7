package io.vlmstreams.cli;

/**
 * Text made safe for a terminal: control characters (a model's or a file name's ESC sequences, bells,
 * carriage returns) are printed as escapes such as {@code \n} or {@code \u001b}, never sent raw.
 */
final class TerminalText {

    private TerminalText() {
    }

    static String escape(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", c));
                    } else {
                        out.appendCodePoint(c);
                    }
                }
            }
        });
        return out.toString();
    }
}
