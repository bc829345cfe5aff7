package io.vlmstreams.topology.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.vlmstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.vlmstreams.devstack.registry.TestSchemaRegistryServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run} as operators start it (a child JVM): its metrics and health endpoint on
 * {@code metrics.port}, not ready until Streams runs, counting answers, and a SIGTERM that stops
 * it through its shutdown hook.
 */
class StreamsMainOpsTest {

    private static final Pattern RECORDS_OUT =
            Pattern.compile("^vlm_records_out_total\\{pipeline=\"main\"} ([0-9.]+)$", Pattern.MULTILINE);
    private static final int EVENTS = 6;

    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path temp;

    @Test
    void servesMetricsAndHealthWhileRunningAndStopsOnSigterm() throws Exception {
        try (EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster().start();
             TestSchemaRegistryServer registry = TestSchemaRegistryServer.start()) {
            for (String topic : List.of("ops-in", "ops-out", "ops-dlq")) {
                kafka.createTopic(topic, 2);
            }
            int port = StreamsMainChild.freePort();
            URI base = URI.create("http://127.0.0.1:" + port + "/");
            Process app = StreamsMainChild.start(kafka, registry, temp, port, "ops");
            try {
                assertThat(StreamsMainChild.awaitStatus(base.resolve("health/ready"), 200, app)).isEqualTo(200);
                assertThat(get(base.resolve("health/live")).statusCode()).isEqualTo(200);
                assertThat(get(base.resolve("ui/")).statusCode()).as("the live view is off by default").isEqualTo(404);

                KafkaIo io = new KafkaIo(kafka.clientProperties(), registry.url());
                List<Map.Entry<String, byte[]>> records = new ArrayList<>();
                for (int i = 0; i < EVENTS; i++) {
                    records.add(Map.entry("k" + i, io.serialize("ops-in",
                            KafkaIo.inline("ops-" + i, "k" + i, KafkaIo.fixtureImage("green_palette.png")))));
                }
                io.sendRaw("ops-in", records);
                assertThat(io.readCommitted("ops-out", EVENTS, Duration.ofSeconds(1), StreamsMainChild.LIMIT)).hasSize(EVENTS);

                String metrics = get(base.resolve("metrics")).body();
                Matcher out = RECORDS_OUT.matcher(metrics);
                assertThat(out.find()).as(metrics).isTrue();
                assertThat(Double.parseDouble(out.group(1))).isEqualTo(EVENTS);
                assertThat(metrics).contains("vlm_records_in_total{pipeline=\"main\"} " + EVENTS + ".0")
                        .contains("vlm_engine_provider{provider=\"CPU\"} 1.0")
                        .contains("vlm_batch_size_count{pipeline=\"main\"}")
                        .contains("kafka_stream_alive_stream_threads")
                        // the decode gauge is a number (it read NaN when Micrometer's weak reference was collected)
                        .containsPattern("(?m)^vlm_engine_decoding_sequences [0-9]+\\.0$")
                        .contains("jvm_memory_used_bytes", "process_cpu_usage", "process_files_open_files");
                // nine SLO bounds and +Inf per stage, not a percentile ladder
                assertThat(Pattern.compile("(?m)^vlm_stage_latency_seconds_bucket\\{").matcher(metrics).results().count())
                        .isEqualTo(4 * 10);
            } finally {
                app.destroy();
            }
            // 143 = 128 + SIGTERM: the JVM's status after a signal, once its shutdown hooks have run.
            assertThat(app.waitFor()).as("exit status after SIGTERM; log: %s", StreamsMainChild.log(temp)).isEqualTo(143);
            assertThat(StreamsMainChild.log(temp)).contains("Stopped ops-test");
        }
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
