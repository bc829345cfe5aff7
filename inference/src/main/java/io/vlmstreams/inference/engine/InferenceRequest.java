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
 */
public record InferenceRequest(
        String requestId,
        byte[] imageBytes,
        String prompt,
        Mode mode,
        List<String> labels,
        GenerationSettings generation,
        ImageOptions image,
        ResponseFormat response) {

    /** A request with a free-text answer. */
    public InferenceRequest(String requestId, byte[] imageBytes, String prompt, Mode mode, List<String> labels,
                            GenerationSettings generation, ImageOptions image) {
        this(requestId, imageBytes, prompt, mode, labels, generation, image, null);
    }

    /** This request with its answer constrained to {@code format}. */
    public InferenceRequest withResponse(ResponseFormat format) {
        return new InferenceRequest(requestId, imageBytes, prompt, mode, labels, generation, image, format);
    }

    /** What the engine does with the request. */
    public enum Mode { GENERATE, CLASSIFY }

    public InferenceRequest {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(imageBytes, "imageBytes");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(mode, "mode");
        labels = labels == null ? List.of() : List.copyOf(labels);
        Objects.requireNonNull(generation, "generation");
        image = image == null ? ImageOptions.DEFAULTS : image;
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
