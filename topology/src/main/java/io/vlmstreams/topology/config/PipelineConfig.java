package io.vlmstreams.topology.config;

import java.util.List;
import java.util.Map;

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
 * @param feed           freshness, supersession, round-robin and per-source prompts ({@link FeedConfig})
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
        int maxPromptChars,
        FeedConfig feed) {

    /** Default of {@code pipeline.<name>.max.prompt.chars}. */
    public static final int DEFAULT_MAX_PROMPT_CHARS =
            (Integer) Settings.PIPELINE.defaultValues().get(Settings.MAX_PROMPT_CHARS);

    /** A pipeline with the default prompt limit. */
    public PipelineConfig(String name, List<String> inputTopics, String outputTopic, InferenceRequest.Mode mode,
                          String prompt, List<String> labels, GenerationDefaults generation, Integer minImageTokens,
                          Integer maxImageTokens, BatchConfig batch) {
        this(name, inputTopics, outputTopic, mode, prompt, labels, generation, minImageTokens, maxImageTokens, batch,
                DEFAULT_MAX_PROMPT_CHARS);
    }

    /** A pipeline with the feed settings off ({@link FeedConfig#OFF}). */
    public PipelineConfig(String name, List<String> inputTopics, String outputTopic, InferenceRequest.Mode mode,
                          String prompt, List<String> labels, GenerationDefaults generation, Integer minImageTokens,
                          Integer maxImageTokens, BatchConfig batch, int maxPromptChars) {
        this(name, inputTopics, outputTopic, mode, prompt, labels, generation, minImageTokens, maxImageTokens, batch,
                maxPromptChars, FeedConfig.OFF);
    }

    public PipelineConfig {
        inputTopics = List.copyOf(inputTopics);
        labels = List.copyOf(labels);
        feed = feed == null ? FeedConfig.OFF : feed;
    }

    /** The pipeline's decoding settings; {@code temperature == 0} is greedy. */
    public record GenerationDefaults(int maxNewTokens, double temperature, int topK, double topP, double minP,
                                     double repetitionPenalty) { }

    /**
     * Pipeline {@code name}'s keys in {@code settings}, parsed by {@link Settings#pipeline}: its batching
     * keys default to the application-level ones in {@code app}.
     */
    static PipelineConfig read(String name, Map<String, String> settings, SettingValues app) {
        SettingValues v = SettingValues.parse(Settings.pipeline(name, app.asMap()), settings, Settings.pipelinePrefix(name));
        InferenceRequest.Mode mode = v.string(Settings.MODE).equals("classify")
                ? InferenceRequest.Mode.CLASSIFY : InferenceRequest.Mode.GENERATE;
        List<String> labels = v.list(Settings.LABELS);
        if (mode == InferenceRequest.Mode.CLASSIFY && labels.size() < 2) {
            throw new ConfigException(v.key(Settings.LABELS), settings.get(v.key(Settings.LABELS)),
                    "classify mode needs at least two comma-separated labels");
        }
        GenerationDefaults generation = new GenerationDefaults(v.integer(Settings.MAX_NEW_TOKENS),
                v.decimal(Settings.TEMPERATURE), v.integer(Settings.TOP_K), v.decimal(Settings.TOP_P),
                v.decimal(Settings.MIN_P), v.decimal(Settings.REPETITION_PENALTY));
        Integer minTokens = v.optionalInteger(Settings.MIN_IMAGE_TOKENS);
        Integer maxTokens = v.optionalInteger(Settings.MAX_IMAGE_TOKENS);
        if (minTokens != null && maxTokens != null && minTokens > maxTokens) {
            throw new ConfigException(v.key(Settings.MIN_IMAGE_TOKENS), String.valueOf(minTokens),
                    "exceeds " + v.key(Settings.MAX_IMAGE_TOKENS) + " (" + maxTokens + ")");
        }
        return new PipelineConfig(name, v.list(Settings.INPUT_TOPICS), v.string(Settings.OUTPUT_TOPIC), mode,
                v.string(Settings.PROMPT), labels, generation, minTokens, maxTokens, BatchConfig.read(v),
                v.integer(Settings.MAX_PROMPT_CHARS), FeedConfig.read(v));
    }
}
