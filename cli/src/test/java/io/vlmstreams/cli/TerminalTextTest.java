package io.vlmstreams.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@code infer} and {@code produce} print never carries raw control characters. */
class TerminalTextTest {

    @Test
    void controlCharactersArePrintedAsEscapes() {
        assertThat(TerminalText.escape("a\u001b[2Jb\nc\rd\te\u0007f\u009bg\\h é 猫"))
                .isEqualTo("a\\u001b[2Jb\\nc\\rd\\te\\u0007f\\u009bg\\\\h é 猫");
        assertThat(TerminalText.escape("plain text")).isEqualTo("plain text");
    }
}
