package io.vlmstreams.topology.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import io.vlmstreams.inference.engine.InferenceEngine;
import io.vlmstreams.topology.app.EngineLoader;
import io.vlmstreams.topology.app.StreamsApp;
import io.vlmstreams.topology.config.AppConfig;
import io.vlmstreams.topology.config.ConfigSource;
import io.vlmstreams.topology.ops.OpsServer;
import io.vlmstreams.topology.ops.VlmMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code run}: starts the application from a configuration file, or for a single pipeline from
 * options alone. Stops gracefully on SIGTERM / Ctrl-C: Streams closes (committing what it has
 * done), then the engine.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the Kafka Streams application (answers ImageEvents with the model, exactly once).")
public final class RunCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    /** Name of the pipeline the single-pipeline form defines. */
    static final String SINGLE_PIPELINE = "main";

    @Option(names = "--config", paramLabel = "FILE", description = "Application properties file.")
    Path config;

    @Mixin
    ClientOptions client;

    @Option(names = "--model", paramLabel = "DIR", description = "ONNX model folder.")
    Path model;

    @Option(names = "--input", description = "Input topic(s), comma-separated.")
    String input;

    @Option(names = "--output", description = "Output topic for answers.")
    String output;

    @Option(names = "--prompt", description = "Prompt (default: 'Describe this image.' or a label question).")
    String prompt;

    @Option(names = "--labels", split = ",", description = "Classify into these labels instead of generating.")
    List<String> labels;

    @Option(names = "--dead-letter", description = "Dead-letter topic.")
    String deadLetter;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Kafka Streams state directory.")
    Path stateDir;

    @Option(names = "--application-id", description = "Kafka Streams application id (default vlm-streams).")
    String applicationId;

    @Override
    public Integer call() throws Exception {
        AppConfig app = AppConfig.from(source());
        log.info("Configuration: {}", app);
        InferenceEngine engine = EngineLoader.open(app.model());
        VlmMetrics metrics = new VlmMetrics();
        StreamsApp streams;
        try {
            streams = new StreamsApp(app, engine, metrics);
        } catch (RuntimeException e) {
            engine.close();
            metrics.close();
            throw e;
        }
        OpsServer ops;
        try {
            ops = OpsServer.start(app.metricsPort(), metrics, streams.health());
        } catch (RuntimeException e) {
            streams.close();
            metrics.close();
            throw e;
        }
        // Streams first (it commits what it has done), then the endpoint that reported on it.
        Runnable stop = () -> {
            try {
                streams.close();
            } finally {
                ops.close();
                metrics.close();
            }
        };
        Thread hook = new Thread(stop, "vlm-streams-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        streams.start();
        streams.awaitStop();
        // Streams stopped on its own (not through the hook): release the engine too.
        stop.run();
        return 0;
    }

    /**
     * The settings: the file or the single-pipeline options, overridden by the environment, then by
     * the other command-line options and {@code --set}.
     */
    ConfigSource source() {
        Map<String, String> values = new LinkedHashMap<>();
        if (config != null) {
            values.putAll(ConfigSource.load(config, System.getenv()).asMap());
        } else {
            if (client.bootstrap == null || client.registry == null || model == null || input == null || output == null) {
                throw new IllegalArgumentException(
                        "give --config FILE, or --bootstrap, --registry, --model, --input and --output");
            }
            String p = "pipeline." + SINGLE_PIPELINE + ".";
            values.put("pipelines", SINGLE_PIPELINE);
            values.put(p + "input.topics", input);
            values.put(p + "output.topic", output);
            boolean classify = labels != null && !labels.isEmpty();
            values.put(p + "mode", classify ? "classify" : "generate");
            if (classify) {
                values.put(p + "labels", String.join(",", labels));
            }
            values.put(p + "prompt", prompt != null ? prompt
                    : classify ? "Which of these fits the image best: " + String.join(", ", labels) + "?"
                    : "Describe this image.");
            values.putAll(ConfigSource.withEnvironment(values, System.getenv()).asMap());
        }
        values.putAll(client.connection());
        if (model != null) {
            values.put("model.dir", model.toString());
        }
        if (deadLetter != null) {
            values.put("dead.letter.topic", deadLetter);
        }
        if (stateDir != null) {
            values.put("state.dir", stateDir.toString());
        }
        if (applicationId != null) {
            values.put("application.id", applicationId);
        }
        values.putAll(client.extraSettings());
        return ConfigSource.of(values);
    }
}
