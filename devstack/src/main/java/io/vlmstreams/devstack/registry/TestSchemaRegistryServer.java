package io.vlmstreams.devstack.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vlmstreams.schemas.serde.BasicCredentials;
import io.vlmstreams.schemas.serde.HttpSchemaRegistryClient;
import io.vlmstreams.schemas.serde.MockSchemaRegistry;
import io.vlmstreams.schemas.serde.SchemaRegistryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process HTTP server speaking Confluent Schema Registry's REST API over an in-memory
 * {@link MockSchemaRegistry}: for tests and the sandbox, where a real registry is not at hand.
 * Optionally requires HTTP basic auth, and remembers the last {@value #MAX_RECORDED} requests so tests
 * can check what a client sent. Global compatibility starts at BACKWARD, as in Confluent.
 *
 * <pre>{@code
 * try (TestSchemaRegistryServer registry = TestSchemaRegistryServer.builder().basicAuth("u", "p").start()) {
 *     serde.configure(registry.clientConfigs(), false);
 * }
 * }</pre>
 */
public final class TestSchemaRegistryServer implements AutoCloseable {

    /** How many requests {@link #requests()} keeps; older ones are dropped so long sandbox runs stay bounded. */
    public static final int MAX_RECORDED = 10_000;

    private static final Logger log = LoggerFactory.getLogger(TestSchemaRegistryServer.class);

    private final HttpServer server;
    private final ExecutorService executor;
    private final MockSchemaRegistry registry;
    private final RegistryRestHandler handler;
    private final Optional<BasicCredentials> credentials;
    private final io.vlmstreams.devstack.tls.TestCertificates tls;
    private final Deque<RecordedRequest> requests = new ArrayDeque<>();

    private TestSchemaRegistryServer(Builder builder) throws IOException {
        this.registry = builder.registry != null ? builder.registry : new MockSchemaRegistry();
        this.handler = new RegistryRestHandler(registry);
        this.credentials = Optional.ofNullable(builder.credentials);
        this.tls = builder.tls;
        if (tls != null) {
            com.sun.net.httpserver.HttpsServer https = com.sun.net.httpserver.HttpsServer.create(
                    new InetSocketAddress(builder.host, builder.port), 0);
            https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls.context(tls.server())));
            this.server = https;
        } else {
            this.server = HttpServer.create(new InetSocketAddress(builder.host, builder.port), 0);
        }
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(4, r -> {
            Thread thread = new Thread(r, "test-schema-registry-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", this::exchange);
        server.start();
        log.info("Test schema registry listening on {} (basic auth: {})", url(), credentials.isPresent());
    }

    /** A server on a free loopback port, without authentication. */
    public static TestSchemaRegistryServer start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Base URL, e.g. {@code http://127.0.0.1:41234}. */
    public String url() {
        return (tls != null ? "https://" : "http://") + server.getAddress().getHostString() + ":" + port();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The registry behind the server, for seeding or inspecting it directly. */
    public MockSchemaRegistry registry() {
        return registry;
    }

    /**
     * Serde/client configs pointing at this server: {@code schema.registry.url}, plus the basic auth
     * settings when the server requires them.
     */
    public Map<String, Object> clientConfigs() {
        Map<String, Object> configs = new HashMap<>();
        configs.put("schema.registry.url", url());
        credentials.ifPresent(c -> {
            configs.put("basic.auth.credentials.source", "USER_INFO");
            configs.put("basic.auth.user.info", c.username() + ":" + c.password());
        });
        if (tls != null) {
            configs.put("schema.registry.ssl.truststore.location", tls.truststore().toString());
            configs.put("schema.registry.ssl.truststore.password", tls.password());
            configs.put("schema.registry.ssl.truststore.type", "PKCS12");
        }
        return configs;
    }

    /** The requests received so far, oldest first (at most {@value #MAX_RECORDED}). */
    public List<RecordedRequest> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    public void clearRequests() {
        synchronized (requests) {
            requests.clear();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    @Override
    public String toString() {
        return "TestSchemaRegistryServer[" + url() + ", basicAuth=" + credentials.isPresent() + "]";
    }

    private void exchange(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            String method = exchange.getRequestMethod();
            String rawPath = exchange.getRequestURI().getRawPath();
            String rawQuery = exchange.getRequestURI().getRawQuery();
            List<String> segments = segments(rawPath);
            record(new RecordedRequest(method, "/" + String.join("/", segments), rawQuery, exchange.getRequestHeaders(), body));

            RegistryResponse response;
            if (credentials.isPresent() && !credentials.get().matches(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"SchemaRegistry\"");
                response = RegistryRestHandler.error(401, SchemaRegistryException.UNAUTHORIZED, "Unauthorized");
            } else {
                response = handler.handle(method, segments, query(rawQuery), body);
            }
            log.debug("{} {} -> {}", method, rawPath, response.status());
            byte[] bytes = response.json().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", HttpSchemaRegistryClient.CONTENT_TYPE);
            exchange.sendResponseHeaders(response.status(), bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (RuntimeException e) {
            // Without this the JDK server drops the connection silently and the client sees only an EOF.
            log.error("Test schema registry failed on {} {}", exchange.getRequestMethod(), exchange.getRequestURI(), e);
            throw e;
        }
    }

    private void record(RecordedRequest request) {
        synchronized (requests) {
            if (requests.size() == MAX_RECORDED) {
                requests.removeFirst();
            }
            requests.addLast(request);
        }
    }

    private static List<String> segments(String rawPath) {
        List<String> segments = new ArrayList<>();
        for (String raw : rawPath.split("/")) {
            if (!raw.isEmpty()) {
                // Decode per segment so an encoded '/' inside a subject name stays part of it.
                segments.add(URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8));
            }
        }
        return segments;
    }

    private static Map<String, String> query(String rawQuery) {
        Map<String, String> query = new LinkedHashMap<>();
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                query.put(key, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return query;
    }

    /** Settings of a {@link TestSchemaRegistryServer}. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port;
        private BasicCredentials credentials;
        private MockSchemaRegistry registry;
        private io.vlmstreams.devstack.tls.TestCertificates tls;

        private Builder() {
        }

        /** Interface to bind; loopback by default. */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** Port to bind; 0 (default) picks a free one. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Requires {@code Authorization: Basic} with these credentials on every request (else 401). */
        public Builder basicAuth(String username, String password) {
            this.credentials = new BasicCredentials(username, password);
            return this;
        }

        /** Serves https with the server key store of {@code certificates} (clients trust its CA). */
        public Builder https(io.vlmstreams.devstack.tls.TestCertificates certificates) {
            this.tls = certificates;
            return this;
        }

        /** Serves this registry instead of a fresh one (e.g. {@code MockSchemaRegistry.forScope(..)}). */
        public Builder registry(MockSchemaRegistry registry) {
            this.registry = registry;
            return this;
        }

        public TestSchemaRegistryServer start() {
            try {
                return new TestSchemaRegistryServer(this);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("Cannot start test schema registry on " + host + ":" + port, e);
            }
        }
    }
}
