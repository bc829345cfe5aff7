package io.vlmstreams.devstack.kafka;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One run of the broker child JVM: launch, graceful stop, kill. */
final class BrokerProcess {

    private static final Duration GRACEFUL_STOP = Duration.ofSeconds(30);

    private final Process process;

    private BrokerProcess(Process process) {
        this.process = process;
    }

    /** Starts {@link BrokerMain} in a new JVM; its stdout and stderr are appended to the log file. */
    static BrokerProcess launch(BrokerLayout layout, KafkaClusterOptions options, String clusterId) throws IOException {
        List<String> args = new ArrayList<>();
        args.add("-Xmx" + options.maxHeap());
        args.add("-XX:+ExitOnOutOfMemoryError");
        args.add("-Djava.awt.headless=true");
        Collections.addAll(args, BrokerLogging.jvmOptions(layout.loggingConfig()));
        args.addAll(options.jvmArgs());
        args.add("-cp");
        args.add(ChildClasspath.current());
        args.add(BrokerMain.class.getName());
        args.add(String.valueOf(ProcessHandle.current().pid()));
        args.add(clusterId);
        args.add(layout.serverProperties().toAbsolutePath().toString());
        args.add(layout.workDir().toAbsolutePath().toString());
        // An argument file keeps a long classpath off the command line and shows how the broker was run.
        writeArgFile(layout.jvmArgsFile(), args);

        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(java.toString(), "@" + layout.jvmArgsFile().toAbsolutePath())
                .directory(layout.workDir().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(layout.logFile().toFile()));
        return new BrokerProcess(builder.start());
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    int exitValue() {
        return process.exitValue();
    }

    /** SIGTERM: Kafka's shutdown hook closes logs cleanly; SIGKILL if it takes longer than 30 s. */
    void stop() {
        process.destroy();
        if (!awaitExit(GRACEFUL_STOP)) {
            kill();
        }
    }

    /** SIGKILL: the broker gets no chance to flush or close anything, like a crashed machine. */
    void kill() {
        process.destroyForcibly();
        awaitExit(GRACEFUL_STOP);
    }

    private boolean awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void writeArgFile(Path file, List<String> args) throws IOException {
        StringBuilder text = new StringBuilder();
        for (String arg : args) {
            text.append('"').append(arg.replace("\\", "\\\\").replace("\"", "\\\"")).append('"').append('\n');
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
