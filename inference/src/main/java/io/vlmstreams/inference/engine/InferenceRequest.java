package io.vlmstreams.inference.engine;

import io.vlmstreams.inference.constrain.ResponseFormat;

import java.util.List;
import java.util.Objects;

/**
 * One image and what to do with it: generate an answer to {@code prompt}, or score {@code labels}.
 *
 * @param requestId     caller's id, echoed in the result (the topology uses the event id)
 * @param imageBytes    the encoded image file (JPEG, PNG, WebP, BMP, GIF); decoding happens in the engine
 * @param prompt        the user text that follows the image in the chat turn
 * @param labels        candidate labels for {@link Mode#CLASSIFY}; empty for {@link Mode#GENERATE}
 * @param generation    decoding settings
 * @param image         per-request image-token budget and splitting
 * @param response      the shape a GENERATE answer must keep to (JSON schema or regex); null for free text
 * @param policies      the yes/no questions of {@link Mode#MODERATE}; empty otherwise
 */
public record InferenceRequest(
        String requestId,
        byte[] imageBytes,
        String prompt,
        Mode mode,
        List<String> labels,
        GenerationSettings generation,
        ImageOptions image,
        ResponseFormat response,
        List<Policy> policies) {

    /** A request without policies. */
    public InferenceRequest(String requestId, byte[] imageBytes, String prompt, Mode mode, List<String> labels,
                            GenerationSettings generation, ImageOptions image, ResponseFormat response) {
        this(requestId, imageBytes, prompt, mode, labels, generation, image, response, List.of());
    }

    /** A request with a free-text answer. */
    public InferenceRequest(String requestId, byte[] imageBytes, String prompt, Mode mode, List<String> labels,
                            GenerationSettings generation, ImageOptions image) {
        this(requestId, imageBytes, prompt, mode, labels, generation, image, null);
    }

    /** This request with its answer constrained to {@code format}. */
    public InferenceRequest withResponse(ResponseFormat format) {
        return new InferenceRequest(requestId, imageBytes, prompt, mode, labels, generation, image, format, policies);
    }

    /**
     * A moderate request: every policy scored from one pass over the image and {@code prompt} (the
     * text before each question; may be empty).
     */
    public static InferenceRequest moderate(String requestId, byte[] imageBytes, String prompt, List<Policy> policies,
                                            ImageOptions image) {
        return new InferenceRequest(requestId, imageBytes, prompt, Mode.MODERATE, List.of(),
                GenerationSettings.greedy(1), image, null, policies);
    }

    /** What the engine does with the request. */
    public enum Mode {
        GENERATE, CLASSIFY,
        /** Score every policy's yes/no question from one image pass. */
        MODERATE
    }

    public InferenceRequest {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(imageBytes, "imageBytes");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(mode, "mode");
        labels = labels == null ? List.of() : List.copyOf(labels);
        Objects.requireNonNull(generation, "generation");
        image = image == null ? ImageOptions.DEFAULTS : image;
        policies = policies == null ? List.of() : List.copyOf(policies);
        if (mode == Mode.MODERATE && policies.isEmpty()) {
            throw new IllegalArgumentException("MODERATE request " + requestId + " has no policies");
        }
        if (mode == Mode.CLASSIFY && labels.isEmpty()) {
            throw new IllegalArgumentException("CLASSIFY request " + requestId + " has no labels");
        }
    }

    /** A generate request with default image options. */
    public static InferenceRequest generate(String requestId, byte[] imageBytes, String prompt, GenerationSettings settings) {
        return new InferenceRequest(requestId, imageBytes, prompt, Mode.GENERATE, List.of(), settings, ImageOptions.DEFAULTS);
    }

    /** A classify request with default image options. */
    public static InferenceRequest classify(String requestId, byte[] imageBytes, String prompt, List<String> labels,
                                            GenerationSettings settings) {
        return new InferenceRequest(requestId, imageBytes, prompt, Mode.CLASSIFY, labels, settings, ImageOptions.DEFAULTS);
    }
}
