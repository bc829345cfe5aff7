package io.vlmstreams.topology.ops.ui;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

/**
 * The routes under {@code /ui}: the page and its script and style (classpath resources, no build
 * step, nothing from a CDN), {@code /ui/events} (Server-Sent Events) and {@code /ui/image/<event id>}
 * (an inline image the view holds). Runs on the ops server's one thread, so the event stream is
 * handed to its own writer thread and this returns at once.
 */
final class UiHandler implements HttpHandler {

    private static final String RESOURCES = "/io/vlmstreams/topology/ops/ui/";
    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "ui.js", "text/javascript; charset=utf-8",
            "ui.css", "text/css; charset=utf-8");

    private final LiveView view;
    private final UiAccess access;
    private final Map<String, byte[]> files;

    UiHandler(LiveView view, UiAccess access) {
        this.view = view;
        this.access = access;
        this.files = Map.of("index.html", load("index.html"), "ui.js", load("ui.js"), "ui.css", load("ui.css"));
    }

    private static byte[] load(String name) {
        try (InputStream in = UiHandler.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException("live view resource missing: " + RESOURCES + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        boolean handedOff = false;
        try {
            String method = ex.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                send(ex, 405, "text/plain; charset=utf-8", "method not allowed\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (!access.allows(ex.getLocalAddress())) {
                send(ex, 403, "text/plain; charset=utf-8", ("the live view answers on ui.bind.address="
                        + access.bindAddress() + " only\n").getBytes(StandardCharsets.UTF_8));
                return;
            }
            String path = ex.getRequestURI().getRawPath();
            String rest = path.length() > "/ui".length() ? path.substring("/ui/".length()) : "";
            if (rest.isEmpty()) {
                page(ex, "index.html");
            } else if (FILES.containsKey(rest)) {
                page(ex, rest);
            } else if (rest.equals("events")) {
                handedOff = events(ex);
            } else if (rest.startsWith("image/")) {
                image(ex, URLDecoder.decode(rest.substring("image/".length()), StandardCharsets.UTF_8));
            } else {
                send(ex, 404, "text/plain; charset=utf-8", "not found\n".getBytes(StandardCharsets.UTF_8));
            }
        } finally {
            if (!handedOff) {
                ex.close();
            }
        }
    }

    private void page(HttpExchange ex, String name) throws IOException {
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        if (name.equals("index.html")) {
            String img = view.config().showReferencedImages() ? "img-src 'self' http: https:" : "img-src 'self'";
            ex.getResponseHeaders().set("Content-Security-Policy",
                    "default-src 'self'; " + img + "; connect-src 'self'; frame-ancestors 'none'");
            ex.getResponseHeaders().set("Referrer-Policy", "no-referrer");
        }
        send(ex, 200, FILES.get(name), files.get(name));
    }

    private boolean events(HttpExchange ex) throws IOException {
        if (ex.getRequestMethod().equals("HEAD")) {
            send(ex, 200, "text/event-stream", new byte[0]);
            return false;
        }
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        if (!view.subscribe(ex)) {
            send(ex, 503, "text/plain; charset=utf-8", "too many live view clients\n".getBytes(StandardCharsets.UTF_8));
            return false;
        }
        return true;
    }

    private void image(HttpExchange ex, String eventId) throws IOException {
        HeldEvent e = view.heldImage(eventId);
        if (e == null) {
            send(ex, 404, "text/plain; charset=utf-8", "image no longer held\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        ex.getResponseHeaders().set("Cache-Control", "private, max-age=3600");
        send(ex, 200, e.mediaType() != null ? e.mediaType() : MediaTypes.sniff(e.image()), e.image());
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
