package io.vlmstreams.topology.processor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

import io.vlmstreams.schemas.ImageEvent;

/**
 * The order in which pending requests are offered to the next batch. In arrival order by default;
 * with {@code pipeline.<name>.source.round.robin}, one request per {@code source_id} in turn (like
 * DeepStream's nvstreammux), the source whose oldest request has waited longest first. Either way a
 * source's requests stay in arrival order, and a batch takes a prefix of this order, so a source's
 * answers never overtake each other. Requests without a source share one lane.
 */
public final class SourceScheduler {

    private final boolean roundRobin;

    public SourceScheduler(boolean roundRobin) {
        this.roundRobin = roundRobin;
    }

    /** {@code pending} (keyed by arrival sequence) in the order the next batch takes them. */
    public List<Map.Entry<Long, HeldRequest>> order(SortedMap<Long, HeldRequest> pending) {
        if (!roundRobin) {
            return new ArrayList<>(pending.entrySet());
        }
        Map<String, Deque<Map.Entry<Long, HeldRequest>>> lanes = new LinkedHashMap<>();
        for (Map.Entry<Long, HeldRequest> e : pending.entrySet()) {
            lanes.computeIfAbsent(laneOf(e.getValue()), k -> new ArrayDeque<>()).add(e);
        }
        List<Map.Entry<Long, HeldRequest>> out = new ArrayList<>(pending.size());
        while (out.size() < pending.size()) {
            for (Deque<Map.Entry<Long, HeldRequest>> lane : lanes.values()) {
                Map.Entry<Long, HeldRequest> next = lane.poll();
                if (next != null) {
                    out.add(next);
                }
            }
        }
        return out;
    }

    /** The {@code source_id} of a held request, or null when it has none (or is not an event). */
    public static String sourceOf(HeldRequest held) {
        ImageEvent event = FreshnessGate.eventOf(held.intake());
        return event == null || event.getSourceId() == null ? null : event.getSourceId().toString();
    }

    private static String laneOf(HeldRequest held) {
        String source = sourceOf(held);
        // a prefix no real source id has keeps the unsourced lane apart from a source named ""
        return source == null ? "\u0000none" : "=" + source;
    }
}
