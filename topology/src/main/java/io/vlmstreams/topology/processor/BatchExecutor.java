package io.vlmstreams.topology.processor;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.vlmstreams.inference.engine.AnsweredBatch;
import io.vlmstreams.inference.engine.InferenceEngine;
import io.vlmstreams.inference.engine.InferenceException;
import io.vlmstreams.inference.engine.InferenceRequest;
import io.vlmstreams.inference.engine.Outcome;
import io.vlmstreams.schemas.DeadLetterReason;
import io.vlmstreams.schemas.ImageEvent;
import io.vlmstreams.topology.fetch.FetchException;
import io.vlmstreams.topology.fetch.ImageFetcher;

/**
 * Runs one batch of held requests: fetches the images given by reference (and builds their
 * requests), asks the engine for the whole batch at once and maps every outcome to an answer or a
 * dead letter, in the batch's order. A request that fails at any step is dead-lettered alone.
 * Records were decoded, and inline requests built, on intake ({@link RecordIntake}).
 */
public final class BatchExecutor {

    private final InferenceEngine engine;
    private final ImageFetcher fetcher;
    private final RequestBuilder requests;
    private final AnswerMapper answers;
    private final DeadLetters deadLetters;

    public BatchExecutor(InferenceEngine engine, ImageFetcher fetcher, RequestBuilder requests, AnswerMapper answers,
                         DeadLetters deadLetters) {
        this.engine = engine;
        this.fetcher = fetcher;
        this.requests = requests;
        this.answers = answers;
        this.deadLetters = deadLetters;
    }

    /** One output per entry of {@code batch}, in the same order; {@code startMs} is the wall-clock start. */
    public List<BatchOutput> run(List<HeldRequest> batch, long startMs) {
        BatchOutput[] outputs = new BatchOutput[batch.size()];
        List<InferenceRequest> toRun = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        List<ImageEvent> events = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            PendingRequest pending = batch.get(i).stored();
            RecordIntake.Intake intake = batch.get(i).intake();
            if (intake instanceof RecordIntake.Intake.Rejected r) {
                outputs[i] = dead(startMs, pending, r.eventId(), r.reason(), r.message());
            } else if (intake instanceof RecordIntake.Intake.Inline in) {
                toRun.add(in.request());
                positions.add(i);
                events.add(in.event());
            } else {
                RecordIntake.Intake.ByReference ref = (RecordIntake.Intake.ByReference) intake;
                ImageEvent event = ref.event();
                try {
                    toRun.add(requests.build(event, fetcher.fetch(ref.reference().getUri())));
                    positions.add(i);
                    events.add(event);
                } catch (FetchException e) {
                    DeadLetterReason reason = e.forbidden() ? DeadLetterReason.FETCH_FORBIDDEN : DeadLetterReason.FETCH_FAILED;
                    outputs[i] = dead(startMs, pending, event.getEventId(), reason, e.getMessage());
                } catch (IllegalArgumentException e) {
                    outputs[i] = dead(startMs, pending, event.getEventId(), DeadLetterReason.INVALID_REQUEST, e.getMessage());
                }
            }
        }
        if (!toRun.isEmpty()) {
            AnsweredBatch answered = engine.answer(toRun);
            List<Outcome> outcomes = answered.outcomes();
            if (outcomes.size() != toRun.size()) {
                throw new IllegalStateException("engine returned " + outcomes.size() + " outcomes for " + toRun.size() + " requests");
            }
            for (int j = 0; j < outcomes.size(); j++) {
                int i = positions.get(j);
                PendingRequest pending = batch.get(i).stored();
                ImageEvent event = events.get(j);
                Outcome outcome = outcomes.get(j);
                if (outcome instanceof Outcome.Success s) {
                    outputs[i] = new BatchOutput.Answered(pending,
                            answers.toAnswer(event, s.result(), startMs - pending.arrivalMs(), answered.modelId()));
                } else {
                    Outcome.Failure f = (Outcome.Failure) outcome;
                    outputs[i] = dead(startMs, pending, event.getEventId(), reason(f.error()), f.error().getMessage());
                }
            }
        }
        return List.of(outputs);
    }

    private static DeadLetterReason reason(InferenceException e) {
        return e.kind() == null ? DeadLetterReason.UNKNOWN : DeadLetters.reason(e.kind());
    }

    private BatchOutput dead(long nowMs, PendingRequest pending, String eventId, DeadLetterReason reason, String message) {
        return new BatchOutput.DeadLettered(pending,
                deadLetters.of(pending, eventId, reason, message, Instant.ofEpochMilli(nowMs)));
    }
}
