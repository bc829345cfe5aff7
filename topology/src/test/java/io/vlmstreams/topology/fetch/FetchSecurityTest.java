package io.vlmstreams.topology.fetch;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import io.vlmstreams.topology.config.FetchConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * SSRF defences of the image fetcher, one case each: internal addresses as literals, names that
 * resolve inside the network, redirects from an allowed host into it, DNS rebinding, and the
 * limits (redirects, size, time, schemes). A local HTTP server on 127.0.0.1 stands in for a public
 * host where a case needs one to answer: that one address is trusted through the policy's test seam,
 * every other address is checked as in production.
 */
class FetchSecurityTest {

    private static final byte[] IMAGE = "pretend PNG bytes".getBytes();
    private static final InetAddress LOCAL = InetAddress.getLoopbackAddress();

    private HttpServer server;
    private int port;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(LOCAL, 0), 0);
        server.createContext("/image.png", exchange -> {
            exchange.sendResponseHeaders(200, IMAGE.length);
            exchange.getResponseBody().write(IMAGE);
            exchange.close();
        });
        server.createContext("/redirect", exchange -> {
            String to = exchange.getRequestURI().getQuery().substring("to=".length());
            exchange.getResponseHeaders().add("Location", to);
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        server.createContext("/hop", exchange -> {
            int n = Integer.parseInt(exchange.getRequestURI().getQuery());
            exchange.getResponseHeaders().add("Location", "/hop?" + (n + 1));
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        server.createContext("/big", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            for (int i = 0; i < 64; i++) {
                exchange.getResponseBody().write(new byte[1024]);
            }
            exchange.close();
        });
        server.createContext("/slow", exchange -> {
            try {
                Thread.sleep(3_000);
                exchange.sendResponseHeaders(200, IMAGE.length);
                exchange.getResponseBody().write(IMAGE);
            } catch (Exception e) {
                // the client gave up: nothing to answer
            }
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        port = server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static FetchConfig config(long maxBytes, Duration timeout, int maxRedirects) {
        return new FetchConfig(Set.of("http", "https"), List.of(), false, maxBytes, Duration.ofSeconds(2), timeout, maxRedirects);
    }

    /** Production policy (real DNS, no trusted address). */
    private static ImageFetcher production() {
        return new ImageFetcher(new FetchPolicy(FetchConfig.defaults()));
    }

    /** The local server trusted as if public; {@code names} resolve as given, other names through DNS. */
    private static ImageFetcher withLocalServerTrusted(FetchConfig config, Map<String, InetAddress[]> names) {
        FetchPolicy.Resolver resolver = host -> names.containsKey(host) ? names.get(host) : InetAddress.getAllByName(host);
        return new ImageFetcher(new FetchPolicy(config, resolver, Set.of(LOCAL)));
    }

    private static void assertForbidden(ImageFetcher fetcher, String uri) {
        assertThatThrownBy(() -> fetcher.fetch(uri)).as(uri).isInstanceOfSatisfying(FetchException.class, e -> {
            System.out.printf("FETCH %-70s -> FETCH_FORBIDDEN (%s)%n", uri, e.getMessage());
            assertThat(e.forbidden()).as("forbidden: " + e.getMessage()).isTrue();
        });
    }

    private static void assertFailed(ImageFetcher fetcher, String uri, String why) {
        assertThatThrownBy(() -> fetcher.fetch(uri)).as(uri).isInstanceOfSatisfying(FetchException.class, e -> {
            System.out.printf("FETCH %-70s -> FETCH_FAILED (%s)%n", uri, e.getMessage());
            assertThat(e.forbidden()).as("failed, not forbidden: " + e.getMessage()).isFalse();
            assertThat(e.getMessage()).contains(why);
        });
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "http://127.0.0.1/image.png",           // loopback literal
            "http://127.1.2.3/image.png",           // all of 127/8 is loopback
            "http://10.0.0.1/image.png",            // 10/8
            "http://172.16.0.1/image.png",          // 172.16/12
            "http://172.31.255.254/image.png",
            "http://192.168.1.1/image.png",         // 192.168/16
            "http://169.254.169.254/latest/meta-data/",  // cloud metadata (link-local)
            "http://0.0.0.0/image.png",             // unspecified
            "http://[::1]/image.png",               // IPv6 loopback
            "http://[fc00::1]/image.png",           // IPv6 unique-local fc00::/7
            "http://[fd00:ec2::254]/latest/meta-data/", // AWS IPv6 metadata
            "http://[fe80::1]/image.png",           // IPv6 link-local
            "http://[::ffff:10.0.0.1]/image.png",   // IPv4-mapped private
            "http://[::127.0.0.1]/image.png",       // IPv4-compatible loopback
            "http://localhost/image.png",           // a name resolving to loopback
            "file:///etc/passwd",
            "ftp://example.com/image.png",
            "gopher://example.com/",
            "http://user:pass@example.com/image.png"})
    void internalAddressesAndOtherSchemesAreRefused(String uri) {
        assertForbidden(production(), uri);
    }

    @Test
    void aNameResolvingToTheLocalServerIsRefusedWithoutTrust() {
        assertForbidden(production(), "http://localhost:" + port + "/image.png");
    }

    @Test
    void theTrustedLocalServerStandsInForAPublicHost() throws Exception {
        ImageFetcher fetcher = withLocalServerTrusted(config(1024, Duration.ofSeconds(5), 3),
                Map.of("images.example", new InetAddress[] {LOCAL}));
        assertThat(fetcher.fetch("http://images.example:" + port + "/image.png")).isEqualTo(IMAGE);
    }

    @ParameterizedTest(name = "redirect to {0}")
    @ValueSource(strings = {"http://10.0.0.1/x.png", "http://169.254.169.254/latest/meta-data/", "http://127.0.0.2/x.png",
            "http://[::1]/x.png", "http://internal.example/x.png", "file:///etc/passwd", "ftp://example.com/x.png"})
    void aRedirectFromAnAllowedHostIntoTheNetworkIsRefused(String target) {
        ImageFetcher fetcher = withLocalServerTrusted(config(1024, Duration.ofSeconds(5), 3),
                Map.of("images.example", new InetAddress[] {LOCAL},
                        "internal.example", new InetAddress[] {address("192.168.10.20")}));
        assertForbidden(fetcher, "http://images.example:" + port + "/redirect?to=" + target);
    }

    @Test
    void aNameWithAnyInternalAddressIsRefused() {
        ImageFetcher fetcher = withLocalServerTrusted(config(1024, Duration.ofSeconds(5), 3),
                Map.of("mixed.example", new InetAddress[] {address("93.184.216.34"), address("10.1.1.1")}));
        assertForbidden(fetcher, "http://mixed.example/image.png");
    }

    @Test
    void theConnectionGoesToTheCheckedAddressWithoutResolvingAgain() throws Exception {
        // DNS rebinding: the first answer passes the check, any later one points inside the network.
        AtomicInteger lookups = new AtomicInteger();
        FetchPolicy.Resolver rebinding = host -> lookups.getAndIncrement() == 0
                ? new InetAddress[] {LOCAL} : new InetAddress[] {address("10.0.0.1")};
        ImageFetcher fetcher = new ImageFetcher(new FetchPolicy(config(1024, Duration.ofSeconds(5), 3), rebinding, Set.of(LOCAL)));
        assertThat(fetcher.fetch("http://rebind.example:" + port + "/image.png")).isEqualTo(IMAGE);
        assertThat(lookups).hasValue(1);
    }

    @Test
    void tooManyRedirectsFail() {
        ImageFetcher fetcher = withLocalServerTrusted(config(1024, Duration.ofSeconds(5), 3),
                Map.of("images.example", new InetAddress[] {LOCAL}));
        assertFailed(fetcher, "http://images.example:" + port + "/hop?0", "more than 3 redirects");
    }

    @Test
    void anOversizeBodyFails() {
        ImageFetcher fetcher = withLocalServerTrusted(config(16 * 1024, Duration.ofSeconds(5), 3),
                Map.of("images.example", new InetAddress[] {LOCAL}));
        assertFailed(fetcher, "http://images.example:" + port + "/big", "limit of 16384 bytes");
    }

    @Test
    void aSlowServerTimesOut() {
        ImageFetcher fetcher = withLocalServerTrusted(config(1024, Duration.ofMillis(500), 3),
                Map.of("images.example", new InetAddress[] {LOCAL}));
        assertFailed(fetcher, "http://images.example:" + port + "/slow", "imed out");
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
