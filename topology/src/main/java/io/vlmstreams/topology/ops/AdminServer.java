package io.vlmstreams.topology.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import io.vlmstreams.inference.engine.SwappableEngine;
import io.vlmstreams.topology.config.AdminConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin endpoint: {@code GET /admin/model} (what serves: {@code model_id}, {@code dir}, {@code dtype},
 * {@code state}, {@code last_error}) and {@code POST /admin/model} with {@code {"dir": ..., "dtype": ...}},
 * which swaps the model and answers when the new one serves (200) or the attempt failed (422, the old
 * model still serving). On its own listener ({@code admin.bind.address}), apart from the metrics port:
 * loading a model replaces code that runs, so it is bound where the operator chooses, behind a bearer
 * token when one is set, and only folders under {@code admin.model.roots} are accepted.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 64 * 1024;

    private final HttpListener http;

    private AdminServer(HttpListener http) {
        this.http = http;
    }

    /**
     * Listens on {@code admin.bindAddress()} and swaps {@code engine}'s model on request.
     *
     * @throws UncheckedIOException when the address cannot be bound; the message names it
     */
    public static AdminServer start(AdminConfig admin, SwappableEngine engine) {
        // a few threads: GET answers while a POST waits for its model to load
        HttpListener http = HttpListener.bind(admin.bindAddress(), 8, 2, "vlm-admin-http", "admin.bind.address");
        http.server().createContext("/admin/model", ex -> {
            try (ex) {
                if (!authorized(ex, admin.token())) {
                    ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
                    respond(ex, 401, error("missing or wrong Authorization: Bearer token"));
                    return;
                }
                switch (ex.getRequestMethod()) {
                    case "GET" -> respond(ex, 200, status(engine.status()));
                    case "POST" -> swap(ex, admin, engine);
                    default -> {
                        ex.getResponseHeaders().set("Allow", "GET, POST");
                        respond(ex, 405, error("method not allowed"));
                    }
                }
            } catch (RuntimeException e) {
                LOG.warn("admin endpoint {} failed", ex.getRequestURI(), e);
                throw e;
            }
        });
        http.start();
        AdminServer out = new AdminServer(http);
        LOG.info("Admin endpoint on {} ({})", out.url(), admin.token() == null ? "no token" : "bearer token required");
        return out;
    }

    private static void swap(HttpExchange ex, AdminConfig admin, SwappableEngine engine) throws IOException {
        JsonNode body;
        try (InputStream in = ex.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                respond(ex, 413, error("body over " + MAX_BODY + " bytes"));
                return;
            }
            body = JSON.readTree(bytes);
        } catch (IOException e) {
            respond(ex, 400, error("body is not JSON: give {\"dir\": \"...\", \"dtype\": \"...\"}"));
            return;
        }
        if (body == null || !body.path("dir").isTextual() || body.path("dir").asText().isBlank()) {
            respond(ex, 400, error("give {\"dir\": \"...\", \"dtype\": \"...\"} (dtype optional, default auto)"));
            return;
        }
        Path dir;
        try {
            dir = Path.of(body.path("dir").asText()).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            respond(ex, 400, error("not a path: " + body.path("dir").asText()));
            return;
        }
        if (!admin.allows(dir)) {
            LOG.warn("Admin: swap to {} refused: outside admin.model.roots {}", dir, admin.modelRoots());
            respond(ex, 403, error("folder " + dir + " is outside admin.model.roots"));
            return;
        }
        String dtype = body.path("dtype").isTextual() && !body.path("dtype").asText().isBlank() ? body.path("dtype").asText() : "auto";
        LOG.info("Admin: swap to {} (dtype {}) requested by {}", dir, dtype, ex.getRemoteAddress());
        SwappableEngine.SwapResult result = engine.swap(new SwappableEngine.ModelChoice(dir, dtype)).join();
        Map<String, Object> reply = status(result.status());
        if (result.swapped()) {
            respond(ex, 200, reply);
        } else {
            reply.put("error", result.error());
            boolean busy = result.error() != null && result.error().contains("in progress");
            respond(ex, busy ? 409 : 422, reply);
        }
    }

    private static boolean authorized(HttpExchange ex, String token) {
        if (token == null) {
            return true;
        }
        String header = ex.getRequestHeaders().getFirst("Authorization");
        String given = header != null && header.startsWith("Bearer ") ? header.substring("Bearer ".length()).trim() : "";
        // constant time: the comparison must not tell how much of a guess was right
        return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, Object> status(SwappableEngine.Status s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model_id", s.modelId());
        m.put("dir", s.dir().toString());
        m.put("dtype", s.dtype());
        m.put("state", s.state().name().toLowerCase(java.util.Locale.ROOT));
        m.put("last_error", s.lastError());
        return m;
    }

    private static Map<String, Object> error(String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", message);
        return m;
    }

    private static void respond(HttpExchange ex, int status, Map<String, Object> body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** The bound port. */
    public int port() {
        return http.port();
    }

    /** The endpoint's URL. */
    public URI url() {
        return URI.create("http://" + http.server().getAddress().getHostString() + ":" + port() + "/admin/model");
    }

    @Override
    public void close() {
        http.close();
    }
}
