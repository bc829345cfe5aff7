package io.vlmstreams.topology.processor;

import java.time.Duration;
import java.time.Instant;

import io.vlmstreams.schemas.ImageEvent;

/**
 * Decides whether a frame is still worth answering ({@code pipeline.<name>.max.event.age.ms}): its
 * {@code event_time} against the task's wall clock. On arrival a frame is stale when it is already
 * older than the limit; when its batch starts, when it would be older than the limit by the time the
 * batch is answered and its answer is readable: the longest of the last 8 batches' service times, plus
 * the delivery margin (the transaction commits every {@code commit.interval.ms} and the producer lingers
 * {@code linger.ms} before it sends), so that no answer is readable older than the limit unless a batch
 * runs longer than those. One instance per processor.
 */
public final class FreshnessGate {

    /** Batches whose longest service time is the estimate: one fast batch must not open the gate. */
    private static final int RECENT_BATCHES = 8;

    /** Kafka Streams' defaults under exactly-once: commits every 100 ms, its producer lingers 100 ms. */
    static final long DEFAULT_COMMIT_INTERVAL_MS = 100;
    static final long DEFAULT_LINGER_MS = 100;

    private final Duration maxAge;
    private final long deliveryMs;
    private final long[] recentBatchMs = new long[RECENT_BATCHES];
    private int batches;

    /**
     * @param maxAge     null: nothing is ever stale
     * @param deliveryMs from an answer leaving the processor to a read_committed consumer seeing it
     */
    public FreshnessGate(Duration maxAge, long deliveryMs) {
        this.maxAge = maxAge;
        this.deliveryMs = Math.max(0, deliveryMs);
    }

    /** The delivery margin the Streams configuration {@code appConfigs} implies: commit interval plus producer linger. */
    public static long deliveryMs(java.util.Map<String, Object> appConfigs) {
        return millis(appConfigs.get("commit.interval.ms"), DEFAULT_COMMIT_INTERVAL_MS)
                + millis(appConfigs.getOrDefault("producer.linger.ms", appConfigs.get("linger.ms")), DEFAULT_LINGER_MS);
    }

    private static long millis(Object value, long fallback) {
        if (value == null) {
            return fallback;
        }
        try {
            return Long.parseLong(value.toString().trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
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
        return check(intake, nowMs, estimate + deliveryMs);
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
                + (serviceMs > 0 ? " (+" + serviceMs + " ms to answer and commit)" : "") + ", over max.event.age.ms "
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
