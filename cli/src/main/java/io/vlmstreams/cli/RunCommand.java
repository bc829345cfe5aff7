package io.vlmstreams.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import io.vlmstreams.topology.app.StreamsMain;
import io.vlmstreams.topology.config.AppConfig;
import io.vlmstreams.topology.config.ConfigSource;
import io.vlmstreams.topology.config.Settings;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code run}: starts the application from a configuration file, or for a single pipeline from
 * options alone, exactly as the production image's {@link StreamsMain} does.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the Kafka Streams application (answers ImageEvents with the model, exactly once).")
public final class RunCommand implements Callable<Integer> {

    /** Name of the pipeline the single-pipeline form defines (its variables: {@code VLM_PIPELINE_main_*}). */
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

    @Option(names = "--metrics-port", paramLabel = "P",
            description = "Port of /metrics and /health/* (default 9404; 0 picks a free one): a second instance on one host needs another.")
    Integer metricsPort;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        AppConfig app;
        try {
            app = AppConfig.from(source(System.getenv()));
        } catch (ConfigException | IllegalArgumentException e) {
            // A settings mistake: the message names the key (and the nearest known one), a stack trace would bury it.
            spec.commandLine().getErr().println("error: " + e.getMessage());
            return StreamsMain.EXIT_USAGE;
        }
        return StreamsMain.run(app);
    }

    /**
     * The settings: the file or the single-pipeline options, overridden by the {@code VLM_*} variables
     * of {@code env}, then by the other command-line options and {@code --set}.
     */
    ConfigSource source(Map<String, String> env) {
        Map<String, String> base = new LinkedHashMap<>();
        if (config != null) {
            base.putAll(ConfigSource.readFile(config));
        } else {
            if (client.bootstrap == null || client.registry == null || model == null || input == null || output == null) {
                throw new IllegalArgumentException(
                        "give --config FILE, or --bootstrap, --registry, --model, --input and --output");
            }
            String p = Settings.pipelinePrefix(SINGLE_PIPELINE);
            base.put(Settings.PIPELINES, SINGLE_PIPELINE);
            base.put(p + Settings.INPUT_TOPICS, input);
            base.put(p + Settings.OUTPUT_TOPIC, output);
            boolean classify = labels != null && !labels.isEmpty();
            base.put(p + Settings.MODE, classify ? "classify" : "generate");
            if (classify) {
                base.put(p + Settings.LABELS, String.join(",", labels));
            }
            base.put(p + Settings.PROMPT, prompt != null ? prompt
                    : classify ? "Which of these fits the image best: " + String.join(", ", labels) + "?"
                    : "Describe this image.");
        }
        Map<String, String> overrides = new LinkedHashMap<>(client.connection());
        if (model != null) {
            overrides.put(Settings.MODEL_DIR, model.toString());
        }
        if (deadLetter != null) {
            overrides.put(Settings.DEAD_LETTER_TOPIC, deadLetter);
        }
        if (stateDir != null) {
            overrides.put(Settings.STATE_DIR, stateDir.toString());
        }
        if (applicationId != null) {
            overrides.put(Settings.APPLICATION_ID, applicationId);
        }
        if (metricsPort != null) {
            overrides.put(Settings.METRICS_PORT, metricsPort.toString());
        }
        client.checkKeys = false;
        overrides.putAll(client.extraSettings());
        return ConfigSource.layered(base, env, overrides);
    }
}
