package io.vlmstreams.topology.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
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
    private static final Duration LIMIT = Duration.ofSeconds(120);
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
            int port = freePort();
            URI base = URI.create("http://127.0.0.1:" + port + "/");
            Process app = startRun(kafka, registry, port);
            try {
                assertThat(awaitStatus(base.resolve("health/ready"), 200, app)).isEqualTo(200);
                assertThat(get(base.resolve("health/live")).statusCode()).isEqualTo(200);
                assertThat(get(base.resolve("ui/")).statusCode()).as("the live view is off by default").isEqualTo(404);

                KafkaIo io = new KafkaIo(kafka.clientProperties(), registry.url());
                List<Map.Entry<String, byte[]>> records = new ArrayList<>();
                for (int i = 0; i < EVENTS; i++) {
                    records.add(Map.entry("k" + i, io.serialize("ops-in",
                            KafkaIo.inline("ops-" + i, "k" + i, KafkaIo.fixtureImage("green_palette.png")))));
                }
                io.sendRaw("ops-in", records);
                assertThat(io.readCommitted("ops-out", EVENTS, Duration.ofSeconds(1), LIMIT)).hasSize(EVENTS);

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
            assertThat(app.waitFor()).as("exit status after SIGTERM; log: %s", log()).isEqualTo(143);
            assertThat(log()).contains("Stopped ops-test");
        }
    }

    private Process startRun(EmbeddedKafkaCluster kafka, TestSchemaRegistryServer registry, int port) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-Xmx768m", "-cp", System.getProperty("java.class.path"),
                "io.vlmstreams.topology.app.StreamsMain",
                "bootstrap.servers=" + kafka.bootstrapServers(), "schema.registry.url=" + registry.url(),
                "model.dir=" + TinyModelFolder.get().toString(), "pipelines=main", "pipeline.main.prompt=Describe this image.", "pipeline.main.input.topics=ops-in", "pipeline.main.output.topic=ops-out",
                "dead.letter.topic=ops-dlq", "state.dir=" + temp.resolve("state").toString(),
                "application.id=ops-test", "metrics.port=" + port,
                "engine.provider=cpu", "batch.linger.ms=30",
                "pipeline.main.max.new.tokens=4", "shutdown.timeout.ms=10000");
        File log = temp.resolve("run.log").toFile();
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
    }

    /** Polls {@code uri} until it answers {@code status}, the process dies, or the limit passes; returns the last status. */
    private int awaitStatus(URI uri, int status, Process app) throws Exception {
        long end = System.nanoTime() + LIMIT.toNanos();
        int last = -1;
        while (System.nanoTime() < end && app.isAlive()) {
            try {
                last = get(uri).statusCode();
                if (last == status) {
                    return last;
                }
            } catch (ConnectException e) {
                // Not listening yet: the engine loads before the endpoint starts.
            }
            Thread.sleep(200);
        }
        return last;
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private String log() throws IOException {
        Path log = temp.resolve("run.log");
        return Files.exists(log) ? Files.readString(log) : "(no log)";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
