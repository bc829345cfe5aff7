package io.vlmstreams.topology.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import io.vlmstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.vlmstreams.devstack.registry.TestSchemaRegistryServer;
import org.apache.kafka.streams.KafkaStreams.State;
import org.junit.jupiter.api.Test;

/**
 * {@code /health/ready} tells the truth: with a real broker and registry, a deleted topic and a
 * stopped registry each make it 503 with the reason, and recovery makes it 200 again; a stream-thread
 * failure keeps it 503 for the hold time even though the replaced thread reports RUNNING, and
 * failures that keep coming fail liveness.
 */
class ReadinessTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aMissingTopicOrADeadRegistryMakesItUnreadyWithTheReason() throws Exception {
        try (EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster().start()) {
            kafka.createTopic("hw-in", 1);
            kafka.createTopic("hw-out", 1);
            TestSchemaRegistryServer registry = TestSchemaRegistryServer.start();
            StreamsHealth health = new StreamsHealth();
            health.onChange(State.RUNNING, State.REBALANCING);
            Map<String, String> topics = Map.of("hw-in", "pipeline.p.input.topics", "hw-out", "pipeline.p.output.topic");
            try (VlmMetrics metrics = new VlmMetrics();
                 OpsServer ops = OpsServer.start(0, metrics, health);
                 HealthWatch watch = HealthWatch.start(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                         Map.of("schema.registry.url", registry.url()), topics, Duration.ofMillis(200), Duration.ofSeconds(2),
                         health)) {
                URI ready = ops.url().resolve("health/ready");
                await("ready with topics and registry", () -> status(ready) == 200);

                kafka.admin().deleteTopics(List.of("hw-out")).all().get(30, TimeUnit.SECONDS);
                await("unready once hw-out is gone", () -> status(ready) == 503);
                HttpResponse<String> missing = get(ready);
                System.out.print("ready after deleting hw-out: " + missing.statusCode() + " " + missing.body());
                assertThat(missing.body()).startsWith("RUNNING\n")
                        .contains("topic 'hw-out' (pipeline.p.output.topic) does not exist");
                assertThat(get(ops.url().resolve("health/live")).statusCode()).isEqualTo(200);

                kafka.createTopic("hw-out", 1);
                await("ready again once hw-out is back", () -> status(ready) == 200);

                registry.close();
                await("unready once the registry is gone", () -> status(ready) == 503);
                HttpResponse<String> dead = get(ready);
                System.out.print("ready after stopping the registry: " + dead.statusCode() + " " + dead.body());
                assertThat(dead.body()).contains("the schema registry at " + registry.url() + " refuses connections");
            } finally {
                registry.close();
            }
        }
    }

    @Test
    void aStreamThreadFailureKeepsItUnreadyForTheHoldTime() {
        AtomicLong now = new AtomicLong();
        StreamsHealth health = new StreamsHealth(Duration.ofSeconds(120), now::get);
        health.onChange(State.RUNNING, State.REBALANCING);
        assertThat(health.ready()).isTrue();

        health.threadFailed(new IllegalStateException("commit failed",
                new org.apache.kafka.common.errors.TimeoutException("Timeout expired after 60000ms while awaiting EndTxn")));
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        // The replaced thread comes back and Streams says RUNNING: readiness must not believe it yet.
        health.onChange(State.REBALANCING, State.RUNNING);
        health.onChange(State.RUNNING, State.REBALANCING);
        assertThat(health.ready()).isFalse();
        assertThat(health.describe()).isEqualTo("RUNNING\na stream thread failed 5 s ago: "
                + "TimeoutException: Timeout expired after 60000ms while awaiting EndTxn\n");
        assertThat(health.live()).isTrue();

        now.addAndGet(Duration.ofSeconds(120).toNanos());
        assertThat(health.ready()).isTrue();

        // Failing again and again: replacing threads does not help, liveness asks for a restart.
        for (int i = 1; i < StreamsHealth.MAX_FAILURES; i++) {
            health.threadFailed(new IllegalStateException("again"));
            now.addAndGet(Duration.ofSeconds(65).toNanos());
        }
        assertThat(health.recentFailures()).isEqualTo(StreamsHealth.MAX_FAILURES);
        assertThat(health.live()).isFalse();
        assertThat(health.describe()).contains("5 stream-thread failures in the last 10 minutes: not recovering");
        now.addAndGet(StreamsHealth.FAILURE_WINDOW.toNanos());
        assertThat(health.live()).isTrue();
        assertThat(health.ready()).isTrue();

        health.onChange(State.PENDING_ERROR, State.RUNNING);
        health.onChange(State.ERROR, State.PENDING_ERROR);
        assertThat(health.live()).isFalse();
        assertThat(health.ready()).isFalse();
    }

    private int status(URI uri) {
        try {
            return get(uri).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        long start = System.nanoTime();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() < end).as("still waiting: %s", what).isTrue();
            Thread.sleep(100);
        }
        System.out.printf("readiness: %s after %d ms%n", what, (System.nanoTime() - start) / 1_000_000);
    }
}
