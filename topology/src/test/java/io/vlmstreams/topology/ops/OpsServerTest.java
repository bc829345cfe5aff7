package io.vlmstreams.topology.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.apache.kafka.streams.KafkaStreams.State;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpsServerTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private VlmMetrics metrics;
    private StreamsHealth health;
    private OpsServer server;

    @BeforeEach
    void start() {
        metrics = new VlmMetrics();
        health = new StreamsHealth();
        server = OpsServer.start(0, metrics, health);
    }

    @AfterEach
    void stop() {
        server.close();
        metrics.close();
    }

    @Test
    void servesPrometheusText() throws Exception {
        metrics.received("camera");

        HttpResponse<String> response = get("/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
        assertThat(response.body()).contains("vlm_records_in_total{pipeline=\"camera\"} 1.0");
    }

    @Test
    void readyOnlyWhenRunning() throws Exception {
        assertThat(get("/health/ready").statusCode()).isEqualTo(503);
        assertThat(get("/health/ready").body()).isEqualTo("CREATED\n");

        health.onChange(State.REBALANCING, State.CREATED);
        assertThat(get("/health/ready").statusCode()).isEqualTo(503);
        assertThat(get("/health/ready").body()).isEqualTo("REBALANCING\n");

        health.onChange(State.RUNNING, State.REBALANCING);
        assertThat(get("/health/ready").statusCode()).isEqualTo(200);
        assertThat(get("/health/ready").body()).isEqualTo("RUNNING\n");
    }

    @Test
    void liveUntilTheClientFails() throws Exception {
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
        health.onChange(State.REBALANCING, State.CREATED);
        health.onChange(State.RUNNING, State.REBALANCING);
        assertThat(get("/health/live").statusCode()).isEqualTo(200);

        health.onChange(State.PENDING_ERROR, State.RUNNING);
        health.onChange(State.ERROR, State.PENDING_ERROR);

        HttpResponse<String> live = get("/health/live");
        assertThat(live.statusCode()).isEqualTo(503);
        assertThat(live.body()).isEqualTo("ERROR\n");
    }

    @Test
    void cleanShutdownStaysLive() throws Exception {
        health.onChange(State.RUNNING, State.REBALANCING);
        health.onChange(State.PENDING_SHUTDOWN, State.RUNNING);
        health.onChange(State.NOT_RUNNING, State.PENDING_SHUTDOWN);

        assertThat(get("/health/live").statusCode()).isEqualTo(200);
        assertThat(get("/health/ready").statusCode()).isEqualTo(503);
    }

    @Test
    void unknownPathsAndMethodsAreRefused() throws Exception {
        assertThat(get("/nothing").statusCode()).isEqualTo(404);
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(server.url().resolve("/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
    }

    private HttpResponse<String> get(String path) throws Exception {
        URI uri = server.url().resolve(path);
        return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
