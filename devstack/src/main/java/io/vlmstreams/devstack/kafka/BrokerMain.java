package io.vlmstreams.devstack.kafka;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Properties;

/**
 * Entry point of the broker child JVM started by {@link EmbeddedKafkaCluster}: formats the
 * storage (once), then runs {@code kafka.Kafka} in this JVM, and halts it when the parent JVM is
 * gone, so a test JVM killed with SIGKILL leaves no broker (nor its files) behind.
 *
 * <p>Arguments: {@code <parent pid> <cluster id> <server.properties> <work dir>}.
 */
public final class BrokerMain {

    private static final Duration PARENT_POLL = Duration.ofMillis(500);

    private BrokerMain() {
    }

    public static void main(String[] args) {
        if (args.length != 4) {
            System.err.println("usage: BrokerMain <parent pid> <cluster id> <server.properties> <work dir>");
            System.exit(2);
        }
        long parentPid = Long.parseLong(args[0]);
        String clusterId = args[1];
        String serverProperties = args[2];
        Path workDir = Path.of(args[3]);

        watchParent(parentPid, workDir);
        if (!isFormatted(serverProperties)) {
            long started = System.nanoTime();
            format(clusterId, serverProperties);
            System.out.printf("BrokerMain: storage formatted in %d ms%n", (System.nanoTime() - started) / 1_000_000);
        }
        // Blocks until the broker shuts down (SIGTERM runs its shutdown hook), then exits the JVM.
        kafka.Kafka.main(new String[] {serverProperties});
    }

    /**
     * Whether every log directory holds a {@code meta.properties}: a restart skips StorageTool,
     * whose class loading costs a second or more.
     */
    private static boolean isFormatted(String serverProperties) {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of(serverProperties), StandardCharsets.UTF_8)) {
            properties.load(in);
        } catch (IOException e) {
            return false;
        }
        String logDirs = properties.getProperty("log.dirs", "");
        return !logDirs.isBlank() && Arrays.stream(logDirs.split(","))
                .allMatch(dir -> Files.isRegularFile(Path.of(dir.trim(), "meta.properties")));
    }

    private static void format(String clusterId, String serverProperties) {
        // --ignore-formatted: a broker killed between formatting and its first start may be half-way.
        String[] formatArgs = {"format", "-t", clusterId, "-c", serverProperties, "--ignore-formatted"};
        int exitCode;
        try {
            exitCode = kafka.tools.StorageTool.execute(formatArgs, System.out);
        } catch (Exception e) {
            System.err.println("Formatting the Kafka storage failed: " + e);
            e.printStackTrace();
            exitCode = 1;
        }
        if (exitCode != 0) {
            System.err.println("StorageTool format exited with " + exitCode);
            System.exit(exitCode);
        }
    }

    private static void watchParent(long parentPid, Path workDir) {
        // ProcessHandle checks the start time as well as the pid, so a recycled pid does not fool it.
        Optional<ProcessHandle> parent = ProcessHandle.of(parentPid);
        if (parent.isEmpty()) {
            orphaned(parentPid, workDir);
        }
        Thread watchdog = new Thread(() -> {
            while (parent.get().isAlive()) {
                try {
                    Thread.sleep(PARENT_POLL.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            orphaned(parentPid, workDir);
        }, "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    private static void orphaned(long parentPid, Path workDir) {
        System.err.println("Parent process " + parentPid + " is gone: removing " + workDir + " and halting the broker");
        try {
            MoreFiles.deleteRecursively(workDir);
        } catch (IOException | RuntimeException e) {
            System.err.println("Could not remove " + workDir + ": " + e);
        }
        // halt, not exit: nobody is left to wait for a graceful shutdown, and its hooks could hang.
        Runtime.getRuntime().halt(3);
    }
}
