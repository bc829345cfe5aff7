package io.vlmstreams.topology.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;

import org.apache.kafka.streams.KafkaStreams.State;
import org.junit.jupiter.api.Test;

/** The image's healthcheck against a real ops endpoint: 1 until Streams runs, 0 then, 1 when nothing listens. */
class HealthProbeTest {

    @Test
    void exitsZeroOnlyWhileReady() throws IOException {
        StreamsHealth health = new StreamsHealth();
        try (VlmMetrics metrics = new VlmMetrics(); OpsServer server = OpsServer.start(0, metrics, health)) {
            String ready = "http://127.0.0.1:" + server.port() + "/health/ready";
            assertThat(HealthProbe.probe(ready)).isEqualTo(1);

            health.onChange(State.REBALANCING, State.CREATED);
            health.onChange(State.RUNNING, State.REBALANCING);
            assertThat(HealthProbe.probe(ready)).isZero();
        }
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        assertThat(HealthProbe.probe("http://127.0.0.1:" + closed + "/health/ready")).isEqualTo(1);
    }
}
