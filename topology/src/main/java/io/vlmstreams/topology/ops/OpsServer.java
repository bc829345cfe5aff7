package io.vlmstreams.topology.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations endpoint: {@code GET /metrics} (Prometheus text), {@code GET /health/live} and
 * {@code GET /health/ready} (200, or 503 with the KafkaStreams state and each reason on its own line in the body). A JDK
 * {@link HttpServer} on one daemon thread: scrapes and probes are rare and cheap, and no web
 * framework is worth its weight here.
 */
public final class OpsServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OpsServer.class);
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String PLAIN_TEXT = "text/plain; charset=utf-8";

    private final HttpListener http;

    private OpsServer(HttpListener http) {
        this.http = http;
    }

    /**
     * Listens on {@code port} on all interfaces (0 picks a free port).
     *
     * @throws UncheckedIOException when the port cannot be bound; the message names it
     */
    public static OpsServer start(int port, VlmMetrics metrics, StreamsHealth health) {
        return start(new InetSocketAddress(port), metrics, health);
    }

    /** Listens on {@code address}. */
    public static OpsServer start(InetSocketAddress address, VlmMetrics metrics, StreamsHealth health) {
        HttpListener http = HttpListener.bind(address, 16, 1, "vlm-ops-http", "metrics.port");
        HttpServer server = http.server();
        server.createContext("/metrics", get(ex -> respond(ex, 200, PROMETHEUS_TEXT, metrics.scrape())));
        server.createContext("/health/live", get(ex -> probe(ex, health.live(), health)));
        server.createContext("/health/ready", get(ex -> probe(ex, health.ready(), health)));
        server.createContext("/", get(ex -> respond(ex, 404, PLAIN_TEXT, "not found: try /metrics, /health/live, /health/ready\n")));
        http.start();
        OpsServer ops = new OpsServer(http);
        LOG.info("Metrics and health on {}", ops.url());
        return ops;
    }

    /**
     * Serves {@code handler} under {@code path} (for example the live view at {@code /ui}); the handler
     * closes its exchanges itself, so it may keep one open for a stream.
     */
    public void mount(String path, HttpHandler handler) {
        http.server().createContext(path, handler);
    }

    /** The bound port. */
    public int port() {
        return http.port();
    }

    /** The base URL, on localhost. */
    public URI url() {
        return URI.create("http://localhost:" + port() + "/");
    }

    /** The scrape URL. */
    public URI metricsUrl() {
        return url().resolve("metrics");
    }

    private static void probe(HttpExchange ex, boolean ok, StreamsHealth health) throws IOException {
        respond(ex, ok ? 200 : 503, PLAIN_TEXT, ok ? health.state() + "\n" : health.describe());
    }

    private static HttpHandler get(HttpHandler handler) {
        return ex -> {
            try (ex) {
                String method = ex.getRequestMethod();
                if (!method.equals("GET") && !method.equals("HEAD")) {
                    ex.getResponseHeaders().set("Allow", "GET, HEAD");
                    respond(ex, 405, PLAIN_TEXT, "method not allowed\n");
                    return;
                }
                handler.handle(ex);
            } catch (RuntimeException e) {
                LOG.warn("ops endpoint {} failed", ex.getRequestURI(), e);
                throw e;
            }
        };
    }

    private static void respond(HttpExchange ex, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        http.close();
    }
}
