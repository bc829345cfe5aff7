package io.vlmstreams.topology.ops.ui;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The input events the view holds, by event id, bounded by count and by image bytes: the oldest go
 * first (their answers then show without a thumbnail). Thread-safe; the view's thread writes, HTTP
 * threads read images.
 */
final class EventStore {

    private final int maxEvents;
    private final long maxImageBytes;
    private final LinkedHashMap<String, HeldEvent> events = new LinkedHashMap<>();
    private long imageBytes;

    EventStore(int maxEvents, long maxImageBytes) {
        this.maxEvents = maxEvents;
        this.maxImageBytes = maxImageBytes;
    }

    synchronized void put(HeldEvent event) {
        HeldEvent before = events.remove(event.eventId());
        if (before != null) {
            imageBytes -= before.imageBytes();
        }
        if (event.imageBytes() > maxImageBytes) {
            // Too large to hold at all: keep what was asked, not the picture.
            event = new HeldEvent(event.eventId(), event.pipeline(), event.source(), event.prompt(), event.eventTime(),
                    null, event.mediaType(), event.uri(), event.record());
        }
        events.put(event.eventId(), event);
        imageBytes += event.imageBytes();
        Iterator<Map.Entry<String, HeldEvent>> oldest = events.entrySet().iterator();
        while ((events.size() > maxEvents || imageBytes > maxImageBytes) && oldest.hasNext()) {
            imageBytes -= oldest.next().getValue().imageBytes();
            oldest.remove();
        }
    }

    synchronized HeldEvent get(String eventId) {
        return eventId == null ? null : events.get(eventId);
    }

    synchronized long imageBytes() {
        return imageBytes;
    }
}
