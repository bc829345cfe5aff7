package io.vlmstreams.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.vlmstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.vlmstreams.devstack.registry.TestSchemaRegistryServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ctrl-C (here SIGTERM through {@link Process#destroy()}, the same JVM shutdown path) during
 * {@code run}'s start-up: the child says what it is stopping, exits, leaves no state folder it made,
 * and prints no "Shutdown in progress" trace. How long the exit took is printed.
 */
class CtrlCTest {

    @TempDir
    Path temp;

    @Test
    void aSignalDuringTheModelLoadStopsItAndRemovesTheStateFolderItMade() throws Exception {
        String output = signalAfter("Loading the model", true);
        assertThat(output).contains("vlm-streams: stopping (signal received while loading the model) ...");
    }

    @Test
    void aSignalWhileStreamsStartsStopsItWithinSeconds() throws Exception {
        String output = signalAfter("Application state CREATED -> REBALANCING", false);
        assertThat(output).contains("Stopping vlm-streams (waiting up to");
    }

    /** Starts {@code run}, sends SIGTERM once its output shows {@code line}; returns the output. */
    private String signalAfter(String line, boolean stateFolderGone) throws Exception {
        try (EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster().start();
             TestSchemaRegistryServer registry = TestSchemaRegistryServer.start()) {
            kafka.createTopic("cc-in", 1);
            kafka.createTopic("cc-out", 1);
            kafka.createTopic("cc-dlq", 1);
            Path state = temp.resolve("state");
            Path log = temp.resolve("run.log");
            Process child = new ProcessBuilder(ChildCli.command("run", "--bootstrap", kafka.bootstrapServers(),
                    "--registry", registry.url(), "--model", FailFastTest.tinyModel().toString(), "--input", "cc-in",
                    "--output", "cc-out", "--dead-letter", "cc-dlq", "--state-dir", state.toString(),
                    "--set", "metrics.port=0", "--set", "engine.provider=cpu"))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                awaitLine(child, log, line);
                long signalled = System.nanoTime();
                child.destroy();
                assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("exited; log:%n%s", Files.readString(log)).isTrue();
                String output = Files.readString(log);
                System.out.printf("ctrl-c after '%s': exit %d, %d ms after the signal%n%s", line, child.exitValue(),
                        (System.nanoTime() - signalled) / 1_000_000, output);
                // 143 = 128 + SIGTERM: the JVM's status once its shutdown hooks have run.
                assertThat(child.exitValue()).isEqualTo(143);
                assertThat(output).contains("vlm-streams: stopping (signal received while ")
                        .contains("vlm-streams: stopped")
                        .doesNotContain("Shutdown in progress").doesNotContain("Exception");
                if (stateFolderGone) {
                    assertThat(state).doesNotExist();
                }
                return output;
            } finally {
                child.destroyForcibly();
            }
        }
    }

    @Test
    void anIdleSandboxStopsWithinSecondsOfASignal() throws Exception {
        Path log = temp.resolve("sandbox.log");
        Process child = new ProcessBuilder(ChildCli.command(List.of("-Dvlm.project.dir=" + temp), "sandbox",
                "--kafka-port", "0", "--registry-port", "0", "--metrics-port", "0"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            awaitLine(child, log, "sandbox: running");
            // Idle: every sample answered or not, nothing new arrives.
            Thread.sleep(1000);
            long signalled = System.nanoTime();
            child.destroy();
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("exited; log:%n%s", Files.readString(log)).isTrue();
            String output = Files.readString(log);
            System.out.printf("ctrl-c on an idle sandbox: exit %d, %d ms after the signal%n", child.exitValue(),
                    (System.nanoTime() - signalled) / 1_000_000);
            assertThat(output).contains("sandbox: stopping (").doesNotContain("Shutdown in progress");
        } finally {
            child.destroyForcibly();
        }
    }

    private static void awaitLine(Process child, Path log, String text) throws IOException, InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end && child.isAlive()) {
            if (Files.exists(log) && Files.readString(log).contains(text)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no '" + text + "' in the child's output:\n" + Files.readString(log));
    }
}
