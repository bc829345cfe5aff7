package io.vlmstreams.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bench-cameras} end to end on the tiny model, briefly: every run accounts for every frame
 * exactly once and prints its table. The figures themselves are not asserted.
 */
class BenchCamerasCommandTest {

    @Test
    void aShortBenchAccountsForEveryFrameInEveryRun() {
        String out = Cli.run("bench-cameras", "--cameras", "2", "--fps", "2", "--seconds", "3", "--max-new-tokens", "2",
                "--loads", "2", "--drain-timeout", "PT90S");
        assertThat(out).contains("capacity", "| load | feed settings |", "| given 2.0 fps | off |", "| 2.0x capacity | on |");
        assertThat(out.lines().filter(l -> l.startsWith("| ") && !l.startsWith("| load")))
                .hasSize(4).allSatisfy(row -> assertThat(row).endsWith("| yes |"));
        assertThat(out).contains("answered + dead-lettered = sent").doesNotContain("= sent (0 + 0");
    }

    @Test
    void badArgumentsAreOneLineErrors() {
        Cli.Result r = Cli.execute("bench-cameras", "--loads", "0");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("error: --cameras, --fps, --seconds, --max-new-tokens and --loads must be positive");
    }
}
