package io.vlmstreams.cli.sandbox;

import io.vlmstreams.topology.app.StateFolders;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.vlmstreams.inference.engine.InferenceEngine;
import io.vlmstreams.devstack.samples.SampleImages;
import io.vlmstreams.topology.app.EngineLoader;
import io.vlmstreams.topology.app.StreamsApp;
import io.vlmstreams.topology.config.AppConfig;
import io.vlmstreams.topology.config.ConfigSource;
import io.vlmstreams.topology.ops.OpsServer;
import io.vlmstreams.topology.ops.VlmMetrics;

/**
 * One sandbox session: embedded Kafka and schema registry, the model, the Streams application
 * in-process with its metrics endpoint, and a watcher printing answers. {@link #start} brings it all
 * up; {@link #sendSamples()} produces the sample images; {@link #close()} stops everything in
 * reverse order (application, engine, registry, broker) and is safe to call from a shutdown hook.
 */
public final class Sandbox implements AutoCloseable {

    public static final String INPUT_TOPIC = "sandbox.images";
    public static final String ANSWER_TOPIC = "sandbox.answers";
    public static final String DEAD_LETTER_TOPIC = "sandbox.dead-letters";
    /** The sandbox's topics, created at start. */
    public static final List<String> TOPICS = List.of(INPUT_TOPIC, ANSWER_TOPIC, DEAD_LETTER_TOPIC);
    /** Partitions of each sandbox topic. */
    public static final int PARTITIONS = 3;
    static final String PIPELINE = "sandbox";

    private final SandboxOptions options;
    private final PrintStream out;
    private final List<AutoCloseable> opened = new ArrayList<>();
    private SandboxServices services;
    private AppConfig config;
    private VlmMetrics metrics;
    private OpsServer ops;
    private StreamsApp app;
    private AnswerWatcher watcher;
    private Path stateDir;
    private boolean closed;

    private Sandbox(SandboxOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** Starts the broker and registry only; the caller prints where they are and waits. */
    public static SandboxServices startServices() {
        return SandboxServices.start();
    }

    /** Starts the broker and registry only, on the ports asked for when they are free. */
    public static SandboxServices startServices(int kafkaPort, int registryPort, PrintStream out) {
        return SandboxServices.start(SandboxPorts.choose("Kafka", "--kafka-port", kafkaPort, out),
                SandboxPorts.choose("the schema registry", "--registry-port", registryPort, out));
    }

    /** Starts broker, registry, topics, model, application, metrics endpoint and answer watcher. */
    public static Sandbox start(SandboxOptions options, PrintStream out) {
        Sandbox sandbox = new Sandbox(options, out);
        try {
            sandbox.startAll();
            return sandbox;
        } catch (RuntimeException | Error e) {
            // Whatever failed (a missing class included), the broker child and threads must not outlive it.
            sandbox.close();
            throw e;
        }
    }

    private void startAll() {
        SandboxModel model = SandboxModel.resolve(options.model(), options.projectDir(), out);
        // Reads the configs only: a folder that is no model is refused before Kafka starts.
        io.vlmstreams.inference.model.ModelFolder folder = io.vlmstreams.inference.model.ModelFolder.open(model.dir(), options.dtype());
        out.println("sandbox: starting Kafka (KRaft, embedded) and the schema registry ...");
        services = startServices(options.kafkaPort(), options.registryPort(), out);
        opened.add(services);
        services.createTopics(TOPICS, PARTITIONS);
        out.println("sandbox: bootstrap.servers=" + services.bootstrapServers()
                + "  schema.registry.url=" + services.registryUrl());
        stateDir = tempStateDir();
        config = AppConfig.from(ConfigSource.of(settings(model)));

        metrics = new VlmMetrics();
        opened.add(metrics);
        out.println("sandbox: loading the model ...");
        // the folder read above: the configs and graph headers are not read twice
        InferenceEngine engine = EngineLoader.open(config.model(), folder);
        try {
            app = new StreamsApp(config, engine, metrics);
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        opened.add(app);
        ops = startOps(options.metricsPort());
        opened.add(ops);
        out.println("sandbox: metrics at " + ops.metricsUrl() + "  health at " + ops.url().resolve("health/ready"));
        app.liveView().ifPresent(view -> {
            view.mount(ops);
            out.println("sandbox: live view at " + uiUrl() + "  (open it in a browser)");
        });
        out.println("sandbox: model " + engine.modelId() + " on " + engine.executionProvider()
                + (model.synthetic() ? " (RANDOM weights)" : ""));
        app.start();

        watcher = new AnswerWatcher(services.clientConfigs(), ANSWER_TOPIC, DEAD_LETTER_TOPIC, out);
        opened.add(watcher);
        watcher.start();
    }

    private Map<String, String> settings(SandboxModel model) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("application.id", "vlm-sandbox");
        s.put("bootstrap.servers", services.bootstrapServers());
        s.put("schema.registry.url", services.registryUrl());
        s.put("state.dir", stateDir.toString());
        s.put("model.dir", model.dir().toString());
        s.put("model.dtype", options.dtype());
        s.put("engine.provider", "auto");
        s.put("dead.letter.topic", DEAD_LETTER_TOPIC);
        s.put("metrics.port", String.valueOf(options.metricsPort()));
        s.put("ui.enabled", "true"); // the sandbox is where people look: always show the page
        // On Ctrl-C the broker's own shutdown hook kills it while ours runs (JVM hooks run
        // concurrently; a terminal's Ctrl-C also reaches the broker's JVM directly): do not wait long for
        // Streams to reach a broker that is gone. Nothing is lost: the sandbox's state is thrown away.
        s.put("shutdown.timeout.ms", "1000");
        s.put("pipelines", PIPELINE);
        String p = "pipeline." + PIPELINE + ".";
        s.put(p + "input.topics", INPUT_TOPIC);
        s.put(p + "output.topic", ANSWER_TOPIC);
        s.put(p + "mode", "generate");
        s.put(p + "prompt", "Describe this image in one sentence.");
        s.put(p + "max.new.tokens", "32");
        return s;
    }

    /** The configured port, or a free one when it is taken (the sandbox should not fail for a metrics port). */
    private OpsServer startOps(int port) {
        try {
            return OpsServer.start(port, metrics, app.health());
        } catch (UncheckedIOException e) {
            if (port == 0) {
                throw e;
            }
            out.println("sandbox: port " + port + " is taken; serving metrics on a free port instead");
            return OpsServer.start(0, metrics, app.health());
        }
    }

    /** Produces every sample image {@code rounds} times; returns how many were sent. */
    public int sendSamples() {
        int n = SampleProducer.send(services.clientConfigs(), INPUT_TOPIC, options.rounds());
        watcher.sent(n);
        out.printf("sandbox: sent %d events (%d sample images x %d) to %s%n", n, SampleImages.NAMES.size(),
                options.rounds(), INPUT_TOPIC);
        return n;
    }

    /** Waits until every event sent is answered or dead-lettered; false on timeout. */
    public boolean awaitSettled(Duration timeout) throws InterruptedException {
        return watcher.awaitSettled(timeout);
    }

    public Progress progress() {
        return watcher.progress();
    }

    /** The Prometheus scrape URL. */
    public URI metricsUrl() {
        return ops.metricsUrl();
    }

    /** The live view's page. */
    public URI uiUrl() {
        return ops.url().resolve("ui/");
    }

    public SandboxServices services() {
        return services;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        // Reverse order: stop reading answers, stop the application (Streams, then engine), the
        // endpoint, the meters, and last the registry and broker the others talk to.
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception e) {
                out.println("sandbox: closing " + opened.get(i).getClass().getSimpleName() + " failed: " + e);
            }
        }
        if (stateDir != null) {
            StateFolders.deleteRecursively(stateDir);
        }
    }

    private static Path tempStateDir() {
        try {
            return Files.createTempDirectory("vlm-sandbox-state");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a state directory", e);
        }
    }

}
