package io.vlmstreams.topology.it;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import io.vlmstreams.topology.cli.Main;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs {@code ./vlm-streams} commands in process and returns what they printed. */
final class Cli {

    private Cli() {
    }

    /** Runs {@code args}, asserts exit code 0, returns stdout. */
    static String run(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setOut(out);
            int code = Main.commandLine().execute(args);
            assertThat(code).as("exit code of %s", String.join(" ", args)).isZero();
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
