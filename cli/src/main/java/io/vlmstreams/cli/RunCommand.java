package io.vlmstreams.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import io.vlmstreams.topology.app.StreamsMain;
import io.vlmstreams.topology.config.ConfigSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code run}: starts the application from a configuration file, or for a single pipeline from
 * options alone, exactly as the production image's {@link StreamsMain} does.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the Kafka Streams application (answers ImageEvents with the model, exactly once).")
public final class RunCommand implements Callable<Integer> {

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
        return StreamsMain.run(source());
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
