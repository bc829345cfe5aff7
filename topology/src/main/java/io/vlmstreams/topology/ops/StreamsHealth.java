package io.vlmstreams.topology.ops;

import org.apache.kafka.streams.KafkaStreams;

/**
 * Liveness and readiness derived from the KafkaStreams state. Register it as (or call it from) the
 * application's {@link KafkaStreams.StateListener}; KafkaStreams accepts only one listener, so an
 * application with its own listener forwards to {@link #onChange}.
 *
 * <p>Live unless the client failed: ERROR, PENDING_ERROR, or NOT_RUNNING reached after one of
 * those. A clean NOT_RUNNING (shutdown requested) stays live, so an orchestrator does not restart a
 * process that is already leaving. Ready only when RUNNING: during a rebalance or restore the
 * instance answers nothing, and a load balancer or rollout should wait.
 */
public final class StreamsHealth implements KafkaStreams.StateListener {

    private volatile KafkaStreams.State state = KafkaStreams.State.CREATED;
    private volatile boolean failed;

    @Override
    public void onChange(KafkaStreams.State newState, KafkaStreams.State oldState) {
        if (newState == KafkaStreams.State.ERROR || newState == KafkaStreams.State.PENDING_ERROR) {
            failed = true;
        }
        state = newState;
    }

    /** The last state reported. */
    public KafkaStreams.State state() {
        return state;
    }

    /** Whether the process should be restarted. */
    public boolean live() {
        return !failed;
    }

    /** Whether the instance is processing. */
    public boolean ready() {
        return state == KafkaStreams.State.RUNNING;
    }
}
