package io.vlmstreams.devstack.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The broker must not outlive a parent JVM killed with SIGKILL (no shutdown hooks run). */
class BrokerWatchdogTest {

    @Test
    void brokerHaltsAndRemovesItsFilesWhenTheParentJvmIsKilled() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process parent = new ProcessBuilder(java.toString(), "-cp", ChildClasspath.current(),
                OrphaningParentMain.class.getName())
                .redirectErrorStream(true)
                .start();
        try {
            String[] ready = CompletableFuture.supplyAsync(() -> readyLine(parent)).get(90, TimeUnit.SECONDS);
            long brokerPid = Long.parseLong(ready[1]);
            Path workDir = Path.of(ready[2]);
            ProcessHandle broker = ProcessHandle.of(brokerPid).orElseThrow();
            assertThat(workDir).isDirectory();

            parent.destroyForcibly().waitFor();

            broker.onExit().get(30, TimeUnit.SECONDS);
            assertThat(broker.isAlive()).isFalse();
            assertThat(workDir).doesNotExist();
        } finally {
            parent.destroyForcibly();
        }
    }

    private static String[] readyLine(Process process) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            StringBuilder seen = new StringBuilder();
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("READY ")) {
                    return line.split(" ", 3);
                }
                seen.append(line).append('\n');
            }
            throw new IllegalStateException("parent JVM ended before READY:\n" + seen);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
