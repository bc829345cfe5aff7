package io.vlmstreams.topology.config;

import java.util.List;
import java.util.Map;

import io.vlmstreams.inference.constrain.Constraints;
import io.vlmstreams.inference.constrain.ResponseFormat;
import io.vlmstreams.inference.engine.InferenceRequest;
import io.vlmstreams.inference.engine.Policy;
import org.apache.kafka.common.config.ConfigException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One pipeline ({@code pipeline.<name>.*}): where its events come from, where answers go, what the
 * model is asked and how, and how its requests are batched.
 *
 * @param minImageTokens null keeps the model's preprocessing default
 * @param maxImageTokens null keeps the model's preprocessing default
 * @param maxPromptChars longest prompt an event may carry ({@code pipeline.<name>.max.prompt.chars}); a longer
 *                       one is an invalid request: prompt tokens cost memory and time in every batch it joins
 * @param feed           freshness, supersession, round-robin and per-source prompts ({@link FeedConfig})
 * @param response       the shape every generated answer keeps to; null for free text
 * @param policies       moderate mode: the policies scored, by name; empty otherwise
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
        FeedConfig feed,
        ResponseFormat response,
        List<Policy> policies) {

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

    /** A pipeline with free-text answers, no policies and the feed settings off ({@link FeedConfig#OFF}). */
    public PipelineConfig(String name, List<String> inputTopics, String outputTopic, InferenceRequest.Mode mode,
                          String prompt, List<String> labels, GenerationDefaults generation, Integer minImageTokens,
                          Integer maxImageTokens, BatchConfig batch, int maxPromptChars) {
        this(name, inputTopics, outputTopic, mode, prompt, labels, generation, minImageTokens, maxImageTokens, batch,
                maxPromptChars, FeedConfig.OFF, null, List.of());
    }

    public PipelineConfig {
        inputTopics = List.copyOf(inputTopics);
        labels = List.copyOf(labels);
        feed = feed == null ? FeedConfig.OFF : feed;
        policies = policies == null ? List.of() : List.copyOf(policies);
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
        InferenceRequest.Mode mode = switch (v.string(Settings.MODE)) {
            case "classify" -> InferenceRequest.Mode.CLASSIFY;
            case "moderate" -> InferenceRequest.Mode.MODERATE;
            default -> InferenceRequest.Mode.GENERATE;
        };
        List<Policy> policies = policies(name, settings, mode, v);
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
                v.integer(Settings.MAX_PROMPT_CHARS), FeedConfig.read(v), response(v, mode), policies);
    }

    /** Every {@code pipeline.<name>.policy.<policy>.*}, sorted by policy name; moderate mode needs one. */
    private static List<Policy> policies(String name, Map<String, String> settings, InferenceRequest.Mode mode, SettingValues v) {
        String prefix = Settings.pipelinePrefix(name) + Settings.POLICY_INFIX;
        java.util.TreeSet<String> names = new java.util.TreeSet<>();
        for (String key : settings.keySet()) {
            if (key.startsWith(prefix) && key.indexOf('.', prefix.length()) > prefix.length()) {
                names.add(key.substring(prefix.length(), key.indexOf('.', prefix.length())));
            }
        }
        if (mode != InferenceRequest.Mode.MODERATE) {
            if (!names.isEmpty()) {
                throw new ConfigException(prefix + names.first() + "." + Settings.POLICY_QUESTION, null,
                        "policies are scored in moderate mode only (" + v.key(Settings.MODE) + "=moderate)");
            }
            return List.of();
        }
        if (names.isEmpty()) {
            throw new ConfigException(v.key(Settings.MODE), "moderate",
                    "moderate mode needs at least one " + prefix + "<policy>." + Settings.POLICY_QUESTION);
        }
        List<Policy> out = new java.util.ArrayList<>();
        for (String policy : names) {
            SettingValues p = SettingValues.parse(Settings.policy(name, policy), settings, Settings.policyPrefix(name, policy));
            out.add(new Policy(policy, p.string(Settings.POLICY_QUESTION), p.decimal(Settings.POLICY_THRESHOLD)));
        }
        return out;
    }

    /** The response format, compiled once here so a schema outside the subset stops the pipeline at start. */
    private static ResponseFormat response(SettingValues v, InferenceRequest.Mode mode) {
        String schema = v.string(Settings.RESPONSE_JSON_SCHEMA);
        String regex = v.string(Settings.RESPONSE_REGEX);
        if (schema == null && regex == null) {
            return null;
        }
        String key = v.key(schema != null ? Settings.RESPONSE_JSON_SCHEMA : Settings.RESPONSE_REGEX);
        if (schema != null && regex != null) {
            throw new ConfigException(key, schema, "set either " + key + " or " + v.key(Settings.RESPONSE_REGEX) + ", not both");
        }
        if (mode != InferenceRequest.Mode.GENERATE) {
            throw new ConfigException(key, schema != null ? schema : regex, "constrains generated answers: mode must be generate");
        }
        ResponseFormat format;
        try {
            format = schema != null ? ResponseFormat.jsonSchema(schemaText(schema)) : ResponseFormat.regex(regex);
            Constraints.check(format);
        } catch (IllegalArgumentException | IOException e) {
            throw new ConfigException(key, schema != null ? schema : regex, e.getMessage());
        }
        return format;
    }

    /** Inline JSON (starts with '{'), else the path of a file holding it. */
    private static String schemaText(String value) throws IOException {
        String trimmed = value.strip();
        if (trimmed.startsWith("{")) {
            return trimmed;
        }
        Path file = Path.of(trimmed);
        if (!Files.isReadable(file)) {
            throw new IOException("not inline JSON and no readable file " + file);
        }
        return Files.readString(file);
    }
}
