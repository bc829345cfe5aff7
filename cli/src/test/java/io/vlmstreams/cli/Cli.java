package io.vlmstreams.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import io.vlmstreams.cli.Main;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs {@code ./vlm-streams} commands in process and returns what they printed. */
final class Cli {

    /** What a command returned and printed. */
    record Result(int exitCode, String out, String err) { }

    private Cli() {
    }

    /** Runs {@code args}, asserts exit code 0, returns stdout. */
    static String run(String... args) {
        Result result = execute(args);
        assertThat(result.exitCode()).as("exit code of %s (stderr: %s)", String.join(" ", args), result.err()).isZero();
        return result.out();
    }

    /** Runs {@code args} whatever its exit code; captures stdout and stderr. */
    static Result execute(String... args) {
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setOut(outStream);
            System.setErr(errStream);
            code = Main.commandLine().execute(args);
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
