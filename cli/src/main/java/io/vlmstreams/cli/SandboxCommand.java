package io.vlmstreams.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.vlmstreams.cli.sandbox.Progress;
import io.vlmstreams.cli.sandbox.Sandbox;
import io.vlmstreams.cli.sandbox.SandboxOptions;
import io.vlmstreams.cli.sandbox.SandboxPorts;
import io.vlmstreams.cli.sandbox.SandboxServices;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sandbox}: the product end to end on one machine, with nothing installed but Java: an
 * embedded Kafka broker and schema registry, a model, the sample images, the Streams application
 * in-process, and its answers printed as they commit. Ctrl-C stops everything cleanly.
 */
@Command(name = "sandbox", mixinStandardHelpOptions = true,
        description = "See it work: embedded Kafka and schema registry, a model, the sample images, the application "
                + "in-process, answers printed as they arrive. Ctrl-C stops it.")
public final class SandboxCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "DIR",
            description = "ONNX model folder (default: the first folder under ./models/, else a tiny random-weight model).")
    Path model;

    @Option(names = "--dtype", defaultValue = "fp32", description = "Model graph variant: fp32, fp16, q8, q4, ... (default ${DEFAULT-VALUE}).")
    String dtype;

    @Option(names = "--services-only", description = "Start only Kafka and the schema registry, print their addresses and wait.")
    boolean servicesOnly;

    @Option(names = "--topics", split = ",", paramLabel = "TOPIC",
            description = "With --services-only: also create these topics (comma-separated; max.message.bytes 10 MiB).")
    java.util.List<String> topics = new java.util.ArrayList<>();

    @Option(names = "--once", description = "Exit (status 0) once every sample is answered; non-zero on timeout or dead letters.")
    boolean once;

    @Option(names = "--count", defaultValue = "1", paramLabel = "N", description = "Send every sample image N times (default ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--metrics-port", defaultValue = "9404", paramLabel = "P",
            description = "Port of /metrics and /health/* (default ${DEFAULT-VALUE}; 0 picks a free one).")
    int metricsPort;

    @Option(names = "--kafka-port", defaultValue = "9092", paramLabel = "P",
            description = "Port of the broker (default ${DEFAULT-VALUE}; a free one when taken; 0 picks a free one).")
    int kafkaPort;

    @Option(names = "--registry-port", defaultValue = "8081", paramLabel = "P",
            description = "Port of the schema registry (default ${DEFAULT-VALUE}; a free one when taken; 0 picks a free one).")
    int registryPort;

    @Option(names = "--timeout", defaultValue = "600", paramLabel = "SECONDS",
            description = "With --once: how long to wait for every answer (default ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    /** Released once everything is closed, so the shutdown hook returns only after a clean stop. */
    private final CountDownLatch finished = new CountDownLatch(1);
    private final CountDownLatch stopRequested = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        if (!servicesOnly && !topics.isEmpty()) {
            throw new IllegalArgumentException("--topics needs --services-only (the full sandbox makes its own topics)");
        }
        Thread hook = new Thread(this::stopFromHook, "sandbox-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return servicesOnly ? servicesOnly(out) : sandbox(out);
        } finally {
            finished.countDown();
            removeHook(hook);
        }
    }

    private int servicesOnly(PrintStream out) throws InterruptedException {
        SandboxPorts.check("--kafka-port", kafkaPort);
        SandboxPorts.check("--registry-port", registryPort);
        try (SandboxServices services = Sandbox.startServices(kafkaPort, registryPort, out)) {
            // The broker does not create topics on first use: make the sandbox's own, so run/produce/tail work at once.
            services.createTopics(Sandbox.TOPICS, Sandbox.PARTITIONS);
            java.util.List<String> extra = topics.stream().map(String::trim).filter(t -> !t.isEmpty())
                    .filter(t -> !Sandbox.TOPICS.contains(t)).distinct().toList();
            if (!extra.isEmpty()) {
                services.createTopics(extra, Sandbox.PARTITIONS, TopicsCommand.DEFAULT_CONFIGS);
            }
            out.println("bootstrap.servers=" + services.bootstrapServers());
            out.println("schema.registry.url=" + services.registryUrl());
            out.println("# Kafka and the schema registry are up with topics " + String.join(", ", allTopics())
                    + "; Ctrl-C stops them.");
            out.flush();
            stopRequested.await();
            out.println("sandbox: stopping ...");
        }
        return 0;
    }

    private int sandbox(PrintStream out) throws InterruptedException {
        SandboxOptions options = new SandboxOptions(Optional.ofNullable(model), dtype, projectDir(), count, metricsPort,
                Duration.ofSeconds(timeoutSeconds), kafkaPort, registryPort);
        try (Sandbox sandbox = Sandbox.start(options, out)) {
            int sent = sandbox.sendSamples();
            if (once) {
                return awaitAll(sandbox, sent, options.timeout(), out);
            }
            out.println("sandbox: running; produce more with  ./vlm-streams produce --bootstrap "
                    + sandbox.services().bootstrapServers() + " --registry " + sandbox.services().registryUrl()
                    + " --topic " + Sandbox.INPUT_TOPIC + " --dir DIR   (Ctrl-C stops)");
            stopRequested.await();
            out.println("sandbox: stopping (" + sandbox.progress().line() + ") ...");
            return 0;
        }
    }

    private int awaitAll(Sandbox sandbox, int sent, Duration timeout, PrintStream out) throws InterruptedException {
        boolean settled = awaitUnlessStopped(sandbox, timeout);
        Progress p = sandbox.progress();
        if (!settled) {
            out.printf("sandbox: timed out after %d s: %d of %d events answered, %d dead-lettered%n",
                    timeout.toSeconds(), p.answered(), sent, p.deadLettered());
            return 1;
        }
        if (p.deadLettered() > 0) {
            out.printf("sandbox: %d of %d events were dead-lettered (see above)%n", p.deadLettered(), sent);
            return 1;
        }
        out.printf("sandbox: all %d events answered (%.2f answers/s)%n", p.answered(), p.answersPerSec());
        return 0;
    }

    private java.util.List<String> allTopics() {
        java.util.Set<String> all = new java.util.LinkedHashSet<>(Sandbox.TOPICS);
        topics.stream().map(String::trim).filter(t -> !t.isEmpty()).forEach(all::add);
        return java.util.List.copyOf(all);
    }

    /** Waits in short steps so Ctrl-C during --once ends the wait too. */
    private boolean awaitUnlessStopped(Sandbox sandbox, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && stopRequested.getCount() > 0) {
            if (sandbox.awaitSettled(Duration.ofMillis(Math.min(500, Math.max(1, (deadline - System.nanoTime()) / 1_000_000))))) {
                return true;
            }
        }
        return sandbox.progress().settled();
    }

    /** Ctrl-C: ask the command to stop and wait (bounded) for it to close everything. */
    private void stopFromHook() {
        if (finished.getCount() > 0) {
            // The broker's own hook is killing it meanwhile: Kafka clients would warn about it at length.
            quietKafkaLogs();
        }
        stopRequested.countDown();
        try {
            finished.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void quietKafkaLogs() {
        if (org.slf4j.LoggerFactory.getLogger("org.apache.kafka") instanceof ch.qos.logback.classic.Logger kafka) {
            kafka.setLevel(ch.qos.logback.classic.Level.ERROR);
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook is running.
        }
    }

    /** The repository root: the launcher passes it; otherwise the working directory. */
    static Path projectDir() {
        String dir = System.getProperty("vlm.project.dir");
        return Path.of(dir != null ? dir : "").toAbsolutePath().normalize();
    }
}
