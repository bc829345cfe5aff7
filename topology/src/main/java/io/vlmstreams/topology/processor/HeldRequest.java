package io.vlmstreams.topology.processor;

import io.vlmstreams.inference.engine.BatchPolicy;

/**
 * A pending request as the batching processor holds it in memory, beside its store entry: the
 * entry itself (what survives a crash) and what its record became on intake, so that its batch
 * neither decodes the record nor builds its request again.
 */
public record HeldRequest(PendingRequest stored, RecordIntake.Intake intake) {

    /** What it costs its pipeline's batch. */
    public BatchPolicy.Cost cost() {
        return BatchPolicy.Cost.ofImageTokens(stored.imageTokens());
    }
}
