package io.vlmstreams.topology.processor;

import java.time.Duration;
import java.time.Instant;

import io.vlmstreams.schemas.ImageEvent;

/**
 * Decides whether a frame is still worth answering ({@code pipeline.<name>.max.event.age.ms}): its
 * {@code event_time} against the task's wall clock. On arrival a frame is stale when it is already
 * older than the limit; when its batch starts, when it would be older than the limit by the time the
 * batch is answered (the longest of the last 8 batches' service times is the estimate), so that no
 * answer leaves older than the limit unless a batch runs longer than those. One instance per processor.
 */
public final class FreshnessGate {

    /** Batches whose longest service time is the estimate: one fast batch must not open the gate. */
    private static final int RECENT_BATCHES = 8;

    private final Duration maxAge;
    private final long[] recentBatchMs = new long[RECENT_BATCHES];
    private int batches;

    /** @param maxAge null: nothing is ever stale */
    public FreshnessGate(Duration maxAge) {
        this.maxAge = maxAge;
    }

    /** Whether the gate can refuse anything at all. */
    public boolean enabled() {
        return maxAge != null;
    }

    /** Why {@code intake} is stale on arrival at {@code nowMs}, or null when it is fresh (or has no event time). */
    public String staleOnArrival(RecordIntake.Intake intake, long nowMs) {
        return check(intake, nowMs, 0);
    }

    /** Why {@code intake} is stale for a batch starting at {@code nowMs}, or null when it is fresh. */
    public String staleAtBatchStart(RecordIntake.Intake intake, long nowMs) {
        long estimate = 0;
        for (long ms : recentBatchMs) {
            estimate = Math.max(estimate, ms);
        }
        return check(intake, nowMs, estimate);
    }

    /** Records how long a batch took, for the estimate of the next one's service time. */
    public void batchTook(Duration elapsed) {
        recentBatchMs[batches++ % RECENT_BATCHES] = elapsed.toMillis();
    }

    private String check(RecordIntake.Intake intake, long nowMs, long serviceMs) {
        ImageEvent event = eventOf(intake);
        if (maxAge == null || event == null) {
            return null;
        }
        long age = nowMs - event.getEventTime().toEpochMilli();
        if (age + serviceMs <= maxAge.toMillis()) {
            return null;
        }
        return "event_time " + Instant.ofEpochMilli(event.getEventTime().toEpochMilli()) + " is " + age + " ms old"
                + (serviceMs > 0 ? " (+" + serviceMs + " ms to answer)" : "") + ", over max.event.age.ms "
                + maxAge.toMillis();
    }

    /** The decoded event of an intake, or null for a record that is not one. */
    static ImageEvent eventOf(RecordIntake.Intake intake) {
        if (intake instanceof RecordIntake.Intake.Inline in) {
            return in.event();
        }
        if (intake instanceof RecordIntake.Intake.ByReference ref) {
            return ref.event();
        }
        return null;
    }
}
