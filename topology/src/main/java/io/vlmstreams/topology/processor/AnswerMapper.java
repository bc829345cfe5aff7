package io.vlmstreams.topology.processor;

import java.util.HashMap;
import java.util.List;

import io.vlmstreams.inference.engine.InferenceResult;
import io.vlmstreams.schemas.Answer;
import io.vlmstreams.schemas.FinishReason;
import io.vlmstreams.schemas.ImageEvent;
import io.vlmstreams.schemas.LabelScore;
import io.vlmstreams.schemas.PolicyScore;
import io.vlmstreams.schemas.StageTimings;

/** Turns an engine result for an event into the {@link Answer} record the pipeline publishes. */
public final class AnswerMapper {

    private final String pipeline;
    private final String modelId;

    public AnswerMapper(String pipeline, String modelId) {
        this.pipeline = pipeline;
        this.modelId = modelId;
    }

    /** @param queuedMs from the event's arrival at the processor to the start of its batch */
    public Answer toAnswer(ImageEvent event, InferenceResult result, long queuedMs) {
        return toAnswer(event, result, queuedMs, modelId);
    }

    /** As {@link #toAnswer(ImageEvent, InferenceResult, long)}, naming {@code answeredBy} (the model that produced it: swaps change it). */
    public Answer toAnswer(ImageEvent event, InferenceResult result, long queuedMs, String answeredBy) {
        return toAnswer(event.getEventId(), event.getSourceId(), event.getAttributes(), result, queuedMs, answeredBy);
    }

    /** The answer for a result whose event is known only by id, source and attributes ({@code infer}). */
    public Answer toAnswer(String eventId, String sourceId, java.util.Map<String, String> attributes, InferenceResult result,
                           long queuedMs) {
        return toAnswer(eventId, sourceId, attributes, result, queuedMs, modelId);
    }

    private Answer toAnswer(String eventId, String sourceId, java.util.Map<String, String> attributes, InferenceResult result,
                            long queuedMs, String answeredBy) {
        List<LabelScore> scores = result.labelScores().isEmpty() ? null : result.labelScores().stream()
                .map(s -> new LabelScore(s.label(), s.score())).toList();
        InferenceResult.StageTimings t = result.timings();
        return Answer.newBuilder()
                .setEventId(eventId)
                .setSourceId(sourceId)
                .setPipeline(pipeline)
                .setText(result.text())
                .setLabelScores(scores)
                .setFinishReason(FinishReason.valueOf(result.finishReason().name()))
                .setPromptTokens(result.promptTokens())
                .setImageTokens(result.imageTokens())
                .setGeneratedTokens(result.generatedTokens())
                .setModelId(answeredBy)
                .setTimings(new StageTimings(Math.max(0, queuedMs), t.preprocessMs(), t.encodeMs(), t.decodeMs()))
                .setAttributes(new HashMap<>(attributes))
                .setFlagged(result.flagged())
                .setPolicyScores(result.policyScores().isEmpty() ? null : result.policyScores().stream()
                        .map(s -> new PolicyScore(s.name(), s.score(), s.threshold(), s.flagged())).toList())
                .setScoring(result.scoring())
                .build();
    }
}
