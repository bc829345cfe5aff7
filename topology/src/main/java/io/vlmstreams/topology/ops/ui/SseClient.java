package io.vlmstreams.topology.ops.ui;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;

/**
 * One browser's Server-Sent Events stream: a bounded queue of frames that drops its oldest when
 * full, written out by this client's own thread. A browser that reads slowly (or not at all) blocks
 * only that thread; {@link #offer} never waits.
 */
final class SseClient implements Runnable {

    private final HttpExchange exchange;
    private final LinkedBlockingDeque<String> frames;
    private final Runnable onClose;
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean closed;

    SseClient(HttpExchange exchange, int capacity, Runnable onClose) {
        this.exchange = exchange;
        this.frames = new LinkedBlockingDeque<>(capacity);
        this.onClose = onClose;
    }

    /** Queues one event; drops the oldest queued when full. */
    void offer(String event, String data) {
        String frame = "event: " + event + "\ndata: " + data + "\n\n";
        while (!frames.offerLast(frame)) {
            if (frames.pollFirst() != null) {
                dropped.incrementAndGet();
            }
        }
    }

    /** Frames dropped for this client because it read too slowly. */
    long dropped() {
        return dropped.get();
    }

    boolean closed() {
        return closed;
    }

    @Override
    public void run() {
        try {
            exchange.sendResponseHeaders(200, 0);
        } catch (IOException e) {
            closed = true;
            exchange.close();
            onClose.run();
            return;
        }
        try (OutputStream out = exchange.getResponseBody()) {
            // An SSE comment first, so the browser sees the stream open before the first event.
            out.write(": vlm-streams live view\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            while (!closed) {
                String frame = frames.poll(1, TimeUnit.SECONDS);
                if (frame != null) {
                    out.write(frame.getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
        } catch (IOException e) {
            // The browser went away.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closed = true;
            exchange.close();
            onClose.run();
        }
    }

    /** Ends the stream; the writer thread exits within a second (or when a blocked write fails). */
    void close() {
        closed = true;
    }
}
