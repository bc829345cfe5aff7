package io.vlmstreams.topology.processor;

import io.vlmstreams.schemas.Answer;
import io.vlmstreams.schemas.DeadLetter;

/** What one pending request became when its batch ran: an answer or a dead letter. */
public sealed interface BatchOutput {

    PendingRequest request();

    /** The request was answered. */
    record Answered(PendingRequest request, Answer answer) implements BatchOutput { }

    /** The request failed; its batch-mates are unaffected. */
    record DeadLettered(PendingRequest request, DeadLetter deadLetter) implements BatchOutput { }
}
