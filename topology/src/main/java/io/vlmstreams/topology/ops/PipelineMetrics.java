package io.vlmstreams.topology.ops;

import java.time.Duration;

import io.vlmstreams.schemas.Answer;
import io.vlmstreams.schemas.DeadLetter;

/**
 * {@link VlmMetrics} seen from one pipeline's processor: each event it records is one call.
 * Thread-safe; every task of the pipeline shares one instance.
 */
public final class PipelineMetrics {

    private final VlmMetrics metrics;
    private final String pipeline;

    PipelineMetrics(VlmMetrics metrics, String pipeline) {
        this.metrics = metrics;
        this.pipeline = pipeline;
    }

    public String pipeline() {
        return pipeline;
    }

    /** A record arrived. */
    public void received() {
        metrics.received(pipeline);
    }

    /** An answer left. */
    public void answered(Answer answer) {
        metrics.answered(pipeline, answer.getGeneratedTokens(), StageTimes.of(answer.getTimings()));
    }

    /** A record was dead-lettered (a dead letter without a pipeline is still counted under this one). */
    public void deadLettered(DeadLetter deadLetter) {
        metrics.deadLettered(pipeline, deadLetter.getReason().name());
    }

    /** A batch ran. */
    public void batchCompleted(int size, int imageTokens, Duration elapsed) {
        metrics.batchCompleted(pipeline, size, imageTokens, elapsed);
    }

    /** The task's pending requests now; 0 when the task closes. */
    public void pending(String taskId, int count) {
        metrics.pending(pipeline, taskId, count);
    }
}
