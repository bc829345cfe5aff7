package io.vlmstreams.inference.engine;

import io.vlmstreams.inference.constrain.Constraints;
import io.vlmstreams.inference.constrain.TokenMasks;
import io.vlmstreams.inference.image.DecodedImage;
import io.vlmstreams.inference.image.ImageDecoder;
import io.vlmstreams.inference.image.ImageException;
import io.vlmstreams.inference.image.ImageProcessor;
import io.vlmstreams.inference.image.ImageSettings;
import io.vlmstreams.inference.image.ProcessedImage;
import io.vlmstreams.inference.text.Prompt;
import io.vlmstreams.inference.text.PromptBuilder;
import io.vlmstreams.inference.text.TextTokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * The CPU work before the model: decode, preprocess, expand and tokenize the prompt, tokenize the
 * labels. Bad input becomes an {@link InferenceException} of the matching kind. Thread-safe.
 */
final class RequestPreparer {

    private final ImageDecoder decoder;
    private final ImageProcessor processor;
    private final PromptCache prompts;
    private final TextTokenizer tokenizer;
    private final Constraints constraints;
    private final ImageFeatureCache images;

    RequestPreparer(ImageDecoder decoder, ImageProcessor processor, PromptBuilder prompts, TextTokenizer tokenizer) {
        this(decoder, processor, prompts, tokenizer, null, null);
    }

    /** @param constraints compiles response formats (null: a constrained request is invalid) */
    RequestPreparer(ImageDecoder decoder, ImageProcessor processor, PromptBuilder prompts, TextTokenizer tokenizer,
                    Constraints constraints, ImageFeatureCache images) {
        this.constraints = constraints;
        this.images = images;
        this.decoder = decoder;
        this.processor = processor;
        this.prompts = new PromptCache(prompts, tokenizer);
        this.tokenizer = tokenizer;
    }

    PreparedRequest prepare(InferenceRequest request) {
        long t0 = System.nanoTime();
        TokenMasks constraint = constraint(request);
        String key = images == null ? null : images.key(request.imageBytes(), request.image());
        ImageFeatureCache.Entry hit = images == null ? null : images.get(key);
        DecodedImage decoded = null;
        if (hit == null) {
            try {
                decoded = decoder.decode(request.imageBytes());
            } catch (ImageException e) {
                throw new InferenceException(kindOf(e), "request " + request.requestId() + ": " + e.getMessage(), e);
            }
        }
        float[] cached = hit == null ? null : hit.features();
        ProcessedImage image;
        Prompt prompt;
        List<long[]> labels = new ArrayList<>();
        try {
            // a repost skips decoding, preprocessing and (in the model) the vision encoder
            image = hit != null ? hit.layoutOnly() : processor.process(decoded, settings(request.image()));
            if (request.mode() == InferenceRequest.Mode.MODERATE) {
                PreparedRequest m = moderation(request, image, t0);
                return new PreparedRequest(request, image, m.promptText(), m.promptIds(), m.labelTokenIds(),
                        m.preprocessNanos(), null, key, cached);
            }
            prompt = prompts.build(request.prompt(), image.layout());
            for (String label : request.labels()) {
                long[] ids = tokenizer.encode(label);
                if (ids.length == 0) {
                    throw new IllegalArgumentException("label '" + label + "' has no tokens");
                }
                labels.add(ids);
            }
        } catch (RuntimeException e) {
            throw new InferenceException(InferenceException.Kind.INVALID_REQUEST,
                    "request " + request.requestId() + ": " + e.getMessage(), e);
        }
        return new PreparedRequest(request, image, prompt.text(), prompt.inputIds(), labels, System.nanoTime() - t0,
                constraint, key, cached);
    }

    /**
     * A MODERATE request: each policy's full prompt (the request's text, then its question, in the
     * user turn after the image), split into the prefix they all share (image included) and each
     * one's own tokens after it (at least one): the prompt ids are the prefix, the label ids the rest.
     */
    private PreparedRequest moderation(InferenceRequest request, ProcessedImage image, long t0) {
        List<long[]> full = new ArrayList<>();
        String firstText = null;
        for (Policy policy : request.policies()) {
            String text = request.prompt().isBlank() ? policy.question() : request.prompt() + "\n" + policy.question();
            Prompt p = prompts.build(text, image.layout());
            firstText = firstText == null ? p.text() : firstText;
            full.add(p.inputIds());
        }
        int shared = full.get(0).length - 1;
        for (long[] ids : full) {
            shared = Math.min(shared, ids.length - 1);
            for (int i = 0; i < shared; i++) {
                if (ids[i] != full.get(0)[i]) {
                    shared = i;
                    break;
                }
            }
        }
        long[] prefix = java.util.Arrays.copyOf(full.get(0), shared);
        List<long[]> rest = new ArrayList<>();
        for (long[] ids : full) {
            rest.add(java.util.Arrays.copyOfRange(ids, shared, ids.length));
        }
        return new PreparedRequest(request, image, firstText, prefix, rest, System.nanoTime() - t0, null);
    }

    /** The request's response format compiled (cached per format); an unsupported one makes it invalid. */
    private TokenMasks constraint(InferenceRequest request) {
        if (request.response() == null || request.mode() != InferenceRequest.Mode.GENERATE) {
            return null;
        }
        try {
            if (constraints == null) {
                throw new IllegalArgumentException("this engine does not constrain answers");
            }
            return constraints.compile(request.response());
        } catch (RuntimeException e) {
            throw new InferenceException(InferenceException.Kind.INVALID_REQUEST,
                    "request " + request.requestId() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Image tokens from the image header alone: the size {@link ImageDecoder#size} reads (the decoder
     * and EXIF orientation {@link #prepare} uses) tiled by {@link ImageProcessor#layout}, which
     * {@link ImageProcessor#process} tiles the decoded image with, so the estimate is what
     * {@link PreparedRequest#imageTokens()} will be.
     *
     * @throws InferenceException of the image's kind when the header cannot be read or is over the limits
     */
    int estimateImageTokens(InferenceRequest request) {
        ImageDecoder.Size size;
        try {
            size = decoder.size(request.imageBytes());
        } catch (ImageException e) {
            throw new InferenceException(kindOf(e), "request " + request.requestId() + ": " + e.getMessage(), e);
        }
        try {
            return processor.layout(size.width(), size.height(), settings(request.image())).imageTokens();
        } catch (RuntimeException e) {
            throw new InferenceException(InferenceException.Kind.INVALID_REQUEST,
                    "request " + request.requestId() + ": " + e.getMessage(), e);
        }
    }

    static ImageSettings settings(ImageOptions options) {
        return new ImageSettings(options.minImageTokens(), options.maxImageTokens(), options.splitting());
    }

    private static InferenceException.Kind kindOf(ImageException e) {
        return switch (e.kind()) {
            case UNDECODABLE -> InferenceException.Kind.IMAGE_UNDECODABLE;
            case TOO_LARGE -> InferenceException.Kind.IMAGE_TOO_LARGE;
            case UNSUPPORTED -> InferenceException.Kind.IMAGE_UNSUPPORTED;
        };
    }
}
