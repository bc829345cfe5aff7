package io.vlmstreams.topology.processor;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import io.vlmstreams.inference.engine.GenerationSettings;
import io.vlmstreams.inference.engine.ImageOptions;
import io.vlmstreams.inference.engine.InferenceRequest;
import io.vlmstreams.schemas.GenerationOverrides;
import io.vlmstreams.schemas.ImageEvent;
import io.vlmstreams.topology.config.PipelineConfig;

/**
 * Builds the engine request for an event under its pipeline's settings, its source's entry in the
 * pipeline's per-source prompts ({@link SourcePrompts}) and the event's overrides, in rising order of
 * precedence.
 * The sampling seed is the event's own or a stable hash of its event id, so replaying an event
 * after a crash samples the same tokens and the duplicate answer that exactly-once discards is the
 * same answer anyway.
 */
public final class RequestBuilder {

    private final PipelineConfig pipeline;
    private final SourcePrompts sourcePrompts;

    public RequestBuilder(PipelineConfig pipeline) {
        this(pipeline, SourcePrompts.NONE);
    }

    /** A builder that asks {@code sourcePrompts} for the prompt of an event that brings none. */
    public RequestBuilder(PipelineConfig pipeline, SourcePrompts sourcePrompts) {
        this.pipeline = pipeline;
        this.sourcePrompts = sourcePrompts;
    }

    /**
     * The request for {@code event} whose image bytes are {@code image}.
     *
     * @throws IllegalArgumentException when the event asks for something invalid (a prompt over the limit,
     *                                  generation settings out of range): the event is an invalid request
     */
    public InferenceRequest build(ImageEvent event, byte[] image) {
        GenerationOverrides o = event.getOverrides();
        PipelineConfig.GenerationDefaults g = pipeline.generation();
        // the event's own values win, then its source's entry, then the pipeline's
        SourcePrompt task = sourcePrompts.lookup(event.getSourceId());
        int sourceTokens = task != null && task.maxNewTokens() != null ? task.maxNewTokens() : g.maxNewTokens();
        int maxNewTokens = o != null && o.getMaxNewTokens() != null ? o.getMaxNewTokens() : sourceTokens;
        double temperature = o != null && o.getTemperature() != null ? o.getTemperature() : g.temperature();
        long seed = o != null && o.getSeed() != null ? o.getSeed() : seedOf(event.getEventId());
        GenerationSettings settings = new GenerationSettings(maxNewTokens, temperature, g.topK(), g.topP(), g.minP(),
                g.repetitionPenalty(), seed);
        Integer minTokens = o != null && o.getMinImageTokens() != null ? o.getMinImageTokens() : pipeline.minImageTokens();
        Integer maxTokens = o != null && o.getMaxImageTokens() != null ? o.getMaxImageTokens() : pipeline.maxImageTokens();
        String fallback = task != null && task.prompt() != null ? task.prompt() : pipeline.prompt();
        String prompt = event.getPrompt() != null && !event.getPrompt().isBlank() ? event.getPrompt() : fallback;
        if (prompt.length() > pipeline.maxPromptChars()) {
            throw new IllegalArgumentException("prompt has " + prompt.length() + " characters, over the pipeline's limit of "
                    + pipeline.maxPromptChars());
        }
        return new InferenceRequest(event.getEventId(), image, prompt, pipeline.mode(), pipeline.labels(), settings,
                new ImageOptions(minTokens, maxTokens, null), pipeline.response(), pipeline.policies());
    }

    /** A seed derived from the event id alone: the first 8 bytes of its SHA-256. */
    public static long seedOf(String eventId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(eventId.getBytes(StandardCharsets.UTF_8));
            long seed = 0;
            for (int i = 0; i < 8; i++) {
                seed = seed << 8 | (digest[i] & 0xff);
            }
            return seed;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
