package io.vlmstreams.topology.config;

import java.util.List;

import io.vlmstreams.inference.engine.InferenceRequest;
import org.apache.kafka.common.config.ConfigException;

/**
 * One pipeline ({@code pipeline.<name>.*}): where its events come from, where answers go, what the
 * model is asked and how, and how its requests are batched.
 *
 * @param minImageTokens null keeps the model's preprocessing default
 * @param maxImageTokens null keeps the model's preprocessing default
 * @param maxPromptChars longest prompt an event may carry ({@code pipeline.<name>.max.prompt.chars}); a longer
 *                       one is an invalid request: prompt tokens cost memory and time in every batch it joins
 */
public record PipelineConfig(
        String name,
        List<String> inputTopics,
        String outputTopic,
        InferenceRequest.Mode mode,
        String prompt,
        List<String> labels,
        GenerationDefaults generation,
        Integer minImageTokens,
        Integer maxImageTokens,
        BatchConfig batch,
        int maxPromptChars) {

    /** Default of {@code pipeline.<name>.max.prompt.chars}. */
    public static final int DEFAULT_MAX_PROMPT_CHARS = 4096;

    /** A pipeline with the default prompt limit. */
    public PipelineConfig(String name, List<String> inputTopics, String outputTopic, InferenceRequest.Mode mode,
                          String prompt, List<String> labels, GenerationDefaults generation, Integer minImageTokens,
                          Integer maxImageTokens, BatchConfig batch) {
        this(name, inputTopics, outputTopic, mode, prompt, labels, generation, minImageTokens, maxImageTokens, batch,
                DEFAULT_MAX_PROMPT_CHARS);
    }

    public PipelineConfig {
        inputTopics = List.copyOf(inputTopics);
        labels = List.copyOf(labels);
    }

    /** The pipeline's decoding settings; {@code temperature == 0} is greedy. */
    public record GenerationDefaults(int maxNewTokens, double temperature, int topK, double topP, double minP,
                                     double repetitionPenalty) { }

    static PipelineConfig read(ConfigSource src, String name, BatchConfig batchDefaults) {
        if (!name.matches("[A-Za-z0-9_-]+")) {
            throw new ConfigException("pipelines", name, "pipeline names use letters, digits, '_' and '-'");
        }
        String p = "pipeline." + name + ".";
        List<String> inputs = src.list(p + "input.topics");
        if (inputs.isEmpty()) {
            throw new ConfigException(p + "input.topics", null, "is required (comma-separated topics)");
        }
        String output = src.required(p + "output.topic");
        String modeText = src.string(p + "mode", "generate");
        InferenceRequest.Mode mode = switch (modeText) {
            case "generate" -> InferenceRequest.Mode.GENERATE;
            case "classify" -> InferenceRequest.Mode.CLASSIFY;
            default -> throw new ConfigException(p + "mode", modeText, "must be generate or classify");
        };
        List<String> labels = src.list(p + "labels");
        if (mode == InferenceRequest.Mode.CLASSIFY && labels.size() < 2) {
            throw new ConfigException(p + "labels", src.string(p + "labels", null),
                    "classify mode needs at least two comma-separated labels");
        }
        String prompt = src.required(p + "prompt");
        GenerationDefaults generation = new GenerationDefaults(
                src.integer(p + "max.new.tokens", 64, 1, 32_768),
                src.decimal(p + "temperature", 0.0, t -> t >= 0 && t <= 100, "must be in [0, 100]"),
                src.integer(p + "top.k", 0, 0, 1_000_000),
                src.decimal(p + "top.p", 1.0, t -> t > 0 && t <= 1, "must be in (0, 1]"),
                src.decimal(p + "min.p", 0.0, t -> t >= 0 && t < 1, "must be in [0, 1)"),
                src.decimal(p + "repetition.penalty", 1.0, t -> t > 0 && t <= 100, "must be in (0, 100]"));
        Integer minTokens = src.optional(p + "min.image.tokens").isPresent()
                ? src.integer(p + "min.image.tokens", 0, 1, 1 << 20) : null;
        Integer maxTokens = src.optional(p + "max.image.tokens").isPresent()
                ? src.integer(p + "max.image.tokens", 0, 1, 1 << 20) : null;
        if (minTokens != null && maxTokens != null && minTokens > maxTokens) {
            throw new ConfigException(p + "min.image.tokens", String.valueOf(minTokens),
                    "exceeds " + p + "max.image.tokens (" + maxTokens + ")");
        }
        return new PipelineConfig(name, inputs, output, mode, prompt, labels, generation, minTokens, maxTokens,
                BatchConfig.read(src, p, batchDefaults),
                src.integer(p + "max.prompt.chars", DEFAULT_MAX_PROMPT_CHARS, 1, 1 << 20));
    }
}
