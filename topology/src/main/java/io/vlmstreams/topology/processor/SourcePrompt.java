package io.vlmstreams.topology.processor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One source's task, from the pipeline's {@code source.prompts.topic}: the prompt its frames are
 * asked and how many tokens an answer may take. The topic's value is JSON,
 * {@code {"prompt": "...", "max_new_tokens": 32}}, either field optional.
 *
 * @param prompt       null keeps the pipeline's prompt
 * @param maxNewTokens null keeps the pipeline's {@code max.new.tokens}
 */
public record SourcePrompt(String prompt, Integer maxNewTokens) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public SourcePrompt {
        if (prompt != null && prompt.isBlank()) {
            prompt = null;
        }
        if (maxNewTokens != null && maxNewTokens < 1) {
            throw new IllegalArgumentException("max_new_tokens must be positive: " + maxNewTokens);
        }
    }

    /**
     * Parses a topic value.
     *
     * @throws IllegalArgumentException when it is not such a JSON object
     */
    public static SourcePrompt parse(byte[] json) {
        try {
            JsonNode node = JSON.readTree(json);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("a source prompt is a JSON object");
            }
            JsonNode prompt = node.get("prompt");
            JsonNode tokens = node.get("max_new_tokens");
            if (tokens != null && !tokens.isNull() && !tokens.canConvertToInt()) {
                throw new IllegalArgumentException("max_new_tokens is not an integer: " + tokens);
            }
            return new SourcePrompt(prompt == null || prompt.isNull() ? null : prompt.asText(),
                    tokens == null || tokens.isNull() ? null : tokens.intValue());
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
    }

    /** The topic value for this prompt. */
    public byte[] toJson() {
        ObjectNode node = JSON.createObjectNode();
        if (prompt != null) {
            node.put("prompt", prompt);
        }
        if (maxNewTokens != null) {
            node.put("max_new_tokens", maxNewTokens);
        }
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }
}
