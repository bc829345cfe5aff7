package io.vlmstreams.topology.ops;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

import org.apache.kafka.streams.KafkaStreams;

/**
 * Liveness and readiness derived from the KafkaStreams state, the stream threads' failures and the
 * periodic checks of {@link HealthWatch}. Register it as (or call it from) the application's
 * {@link KafkaStreams.StateListener}; KafkaStreams accepts only one listener, so an application with
 * its own listener forwards to {@link #onChange}.
 *
 * <p>Live unless the client failed (ERROR, PENDING_ERROR, or NOT_RUNNING reached after one of
 * those) or its stream threads keep failing: {@link #MAX_FAILURES} failures within
 * {@link #FAILURE_WINDOW} mean replacing threads does not help, and a restart (whose start-up check
 * names a missing topic or dead registry in one line) is the remedy left. A clean NOT_RUNNING (shutdown requested) stays live, so an orchestrator does not restart a
 * process that is already leaving. Ready only when RUNNING with no known problem: a stream thread
 * failed within the hold time (a replaced thread reaches RUNNING again between failed transactions, so
 * the state alone would look healthy while every commit fails), or a check found a topic missing or the
 * brokers or registry unreachable. {@link #describe()} says why.
 */
public final class StreamsHealth implements KafkaStreams.StateListener {

    /** How long a stream-thread failure keeps the instance unready: longer than a transaction's timeout. */
    public static final Duration DEFAULT_FAILURE_HOLD = Duration.ofMinutes(2);

    /** Stream-thread failures within {@link #FAILURE_WINDOW} after which the instance is no longer live. */
    public static final int MAX_FAILURES = 5;

    /** The window {@link #MAX_FAILURES} is counted in. */
    public static final Duration FAILURE_WINDOW = Duration.ofMinutes(10);

    private final java.util.Deque<Long> failureTimes = new java.util.ArrayDeque<>();
    private final Duration failureHold;
    private final LongSupplier nanoTime;
    private volatile KafkaStreams.State state = KafkaStreams.State.CREATED;
    private volatile boolean failed;
    private volatile boolean wasRunning;
    private volatile List<String> problems = List.of();
    private volatile String lastFailure;
    private volatile long lastFailureNanos;

    public StreamsHealth() {
        this(DEFAULT_FAILURE_HOLD, System::nanoTime);
    }

    /** With a stream-thread failure kept for {@code failureHold}, time read from {@code nanoTime}. */
    public StreamsHealth(Duration failureHold, LongSupplier nanoTime) {
        this.failureHold = failureHold;
        this.nanoTime = nanoTime;
    }

    @Override
    public void onChange(KafkaStreams.State newState, KafkaStreams.State oldState) {
        if (newState == KafkaStreams.State.ERROR || newState == KafkaStreams.State.PENDING_ERROR) {
            failed = true;
        }
        if (newState == KafkaStreams.State.RUNNING) {
            wasRunning = true;
        }
        state = newState;
    }

    /** Whether Streams has reached RUNNING at least once. */
    public boolean wasRunning() {
        return wasRunning;
    }

    /** A stream thread died with {@code error} (it is replaced; its tasks resume from the last commit). */
    public void threadFailed(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? "" : ": " + root.getMessage().replaceAll("\\s*\\R\\s*", " ");
        lastFailure = root.getClass().getSimpleName() + message;
        lastFailureNanos = nanoTime.getAsLong();
        synchronized (failureTimes) {
            failureTimes.addLast(lastFailureNanos);
        }
    }

    /** Stream-thread failures within the last {@link #FAILURE_WINDOW}. */
    public int recentFailures() {
        long since = nanoTime.getAsLong() - FAILURE_WINDOW.toNanos();
        synchronized (failureTimes) {
            while (!failureTimes.isEmpty() && failureTimes.peekFirst() - since < 0) {
                failureTimes.removeFirst();
            }
            return failureTimes.size();
        }
    }

    /** The problems the latest periodic check found (none: all well). */
    public void checked(List<String> found) {
        problems = List.copyOf(found);
    }

    /** The last state reported. */
    public KafkaStreams.State state() {
        return state;
    }

    /** Whether the process should be restarted. */
    public boolean live() {
        return !failed && recentFailures() < MAX_FAILURES;
    }

    /** Whether the instance is processing. */
    public boolean ready() {
        return state == KafkaStreams.State.RUNNING && reasons().isEmpty();
    }

    /** Why the instance is not ready beyond its state: recent thread failure, check problems. */
    public List<String> reasons() {
        List<String> reasons = new ArrayList<>();
        String failure = lastFailure;
        if (failure != null) {
            long ago = nanoTime.getAsLong() - lastFailureNanos;
            if (ago < failureHold.toNanos()) {
                reasons.add("a stream thread failed " + Duration.ofNanos(ago).toSeconds() + " s ago: " + failure);
            }
        }
        int recent = recentFailures();
        if (recent >= MAX_FAILURES) {
            reasons.add(recent + " stream-thread failures in the last " + FAILURE_WINDOW.toMinutes()
                    + " minutes: not recovering, restart the instance");
        }
        reasons.addAll(problems);
        return reasons;
    }

    /** The state, then each reason on its own line. */
    public String describe() {
        StringBuilder out = new StringBuilder(state.toString()).append('\n');
        reasons().forEach(r -> out.append(r).append('\n'));
        return out.toString();
    }
}
