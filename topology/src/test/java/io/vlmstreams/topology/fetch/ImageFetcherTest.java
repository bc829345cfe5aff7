package io.vlmstreams.topology.fetch;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import com.sun.net.httpserver.HttpServer;
import io.vlmstreams.topology.config.FetchConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fetch policy and fetcher against a local HTTP server. */
class ImageFetcherTest {

    private static final byte[] IMAGE = "pretend PNG bytes".getBytes();

    private HttpServer server;
    private String base;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/image.png", exchange -> {
            exchange.sendResponseHeaders(200, IMAGE.length);
            exchange.getResponseBody().write(IMAGE);
            exchange.close();
        });
        server.createContext("/chunked.png", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            exchange.getResponseBody().write(IMAGE);
            exchange.close();
        });
        server.createContext("/to-ip", exchange -> {
            exchange.getResponseHeaders().add("Location", "http://127.0.0.1:" + server.getAddress().getPort() + "/image.png");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        server.createContext("/loop", exchange -> {
            exchange.getResponseHeaders().add("Location", "/loop");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        server.start();
        base = "http://localhost:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static FetchConfig policy(boolean allowPrivate, List<String> hosts, long maxBytes) {
        return new FetchConfig(Set.of("http", "https"), hosts, allowPrivate, maxBytes, Duration.ofSeconds(2),
                Duration.ofSeconds(5), 3);
    }

    @Test
    void loopbackPrivateAndMetadataAddressesAreRefusedByDefault() {
        ImageFetcher fetcher = new ImageFetcher(new FetchPolicy(FetchConfig.defaults()));
        for (String uri : List.of(base + "/image.png", "http://169.254.169.254/latest/meta-data/", "http://10.1.2.3/x.png",
                "http://[::1]/x.png", "http://[fd00:ec2::254]/", "file:///etc/passwd", "gopher://example.com/")) {
            assertThatThrownBy(() -> fetcher.fetch(uri)).as(uri).isInstanceOfSatisfying(FetchException.class,
                    e -> assertThat(e.forbidden()).isTrue());
        }
    }

    @Test
    void addressClassification() throws Exception {
        assertThat(FetchPolicy.forbiddenReason(InetAddress.getByName("8.8.8.8"))).isNull();
        assertThat(FetchPolicy.forbiddenReason(InetAddress.getByName("2606:4700::1111"))).isNull();
        for (String a : List.of("127.0.0.1", "0.0.0.0", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254",
                "100.64.0.1", "224.0.0.1", "::1", "fe80::1", "fc00::1", "::ffff:10.0.0.1", "64:ff9b::a00:1")) {
            assertThat(FetchPolicy.forbiddenReason(InetAddress.getByName(a))).as(a).isNotNull();
        }
    }

    @Test
    void fetchesWhenAllowedWithLengthOrChunkedBodies() throws Exception {
        ImageFetcher fetcher = new ImageFetcher(new FetchPolicy(policy(true, List.of("localhost"), 1024)));
        assertThat(fetcher.fetch(base + "/image.png")).isEqualTo(IMAGE);
        assertThat(fetcher.fetch(base + "/chunked.png")).isEqualTo(IMAGE);
    }

    @Test
    void everyRedirectHopIsRecheckedAndBounded() {
        ImageFetcher fetcher = new ImageFetcher(new FetchPolicy(policy(true, List.of("localhost"), 1024)));
        assertThatThrownBy(() -> fetcher.fetch(base + "/to-ip")).isInstanceOfSatisfying(FetchException.class,
                e -> assertThat(e.forbidden()).isTrue());
        assertThatThrownBy(() -> fetcher.fetch(base + "/loop")).isInstanceOfSatisfying(FetchException.class,
                e -> assertThat(e.forbidden()).isFalse());
    }

    @Test
    void oversizedImagesFail() {
        ImageFetcher fetcher = new ImageFetcher(new FetchPolicy(policy(true, List.of(), 4)));
        assertThatThrownBy(() -> fetcher.fetch(base + "/image.png")).isInstanceOfSatisfying(FetchException.class,
                e -> assertThat(e.forbidden()).isFalse());
        assertThatThrownBy(() -> fetcher.fetch(base + "/chunked.png")).isInstanceOfSatisfying(FetchException.class,
                e -> assertThat(e.forbidden()).isFalse());
    }
}
