package io.vlmstreams.topology.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.vlmstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.vlmstreams.devstack.registry.TestSchemaRegistryServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run} with {@code ui.enabled=true} (a child JVM, as operators start it): the page is served on
 * the metrics port, and every committed answer reaches {@code /ui/events} with its image served by id.
 */
class StreamsMainLiveViewTest {

    private static final Duration LIMIT = Duration.ofSeconds(120);
    private static final Pattern EVENT_ID = Pattern.compile("\"event_id\":\"(live-\\d+)\"");
    private static final Pattern IMAGE = Pattern.compile("\"src\":\"(/ui/image/[^\"]+)\"");
    private static final int EVENTS = 3;

    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path temp;

    @Test
    void runServesTheLiveViewWhenEnabled() throws Exception {
        try (EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster().start();
             TestSchemaRegistryServer registry = TestSchemaRegistryServer.start()) {
            for (String topic : List.of("live-in", "live-out", "live-dlq")) {
                kafka.createTopic(topic, 1);
            }
            int port = freePort();
            URI base = URI.create("http://127.0.0.1:" + port + "/");
            Process app = startRun(kafka, registry, port);
            try {
                assertThat(awaitStatus(base.resolve("ui/"), 200, app)).as(log()).isEqualTo(200);
                try (Socket events = new Socket("127.0.0.1", port)) {
                    events.getOutputStream().write("GET /ui/events HTTP/1.1\r\nHost: localhost\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    BufferedReader in = new BufferedReader(new InputStreamReader(events.getInputStream(), StandardCharsets.UTF_8));

                    KafkaIo io = new KafkaIo(kafka.clientProperties(), registry.url());
                    List<Map.Entry<String, byte[]>> records = new ArrayList<>();
                    for (int i = 0; i < EVENTS; i++) {
                        records.add(Map.entry("k" + i, io.serialize("live-in",
                                KafkaIo.inline("live-" + i, "k" + i, KafkaIo.fixtureImage("green_palette.png")))));
                    }
                    io.sendRaw("live-in", records);

                    Set<String> seen = new HashSet<>();
                    String image = null;
                    String line;
                    while (seen.size() < EVENTS && (line = in.readLine()) != null) {
                        if (line.startsWith("data: ") && line.contains("\"kind\":\"answer\"")) {
                            Matcher id = EVENT_ID.matcher(line);
                            assertThat(id.find()).as(line).isTrue();
                            seen.add(id.group(1));
                            Matcher src = IMAGE.matcher(line);
                            if (src.find()) {
                                image = src.group(1);
                            }
                            assertThat(line).contains("\"prompt\":\"Describe this image.\"").contains("\"timings\"");
                        }
                    }
                    assertThat(seen).containsExactlyInAnyOrder("live-0", "live-1", "live-2");
                    assertThat(image).isNotNull();
                    HttpResponse<byte[]> bytes = http.send(HttpRequest.newBuilder(base.resolve(image.substring(1))).GET().build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    assertThat(bytes.statusCode()).isEqualTo(200);
                    assertThat(bytes.body()).isEqualTo(KafkaIo.fixtureImage("green_palette.png"));
                }
            } finally {
                app.destroy();
                app.waitFor();
            }
        }
    }

    private Process startRun(EmbeddedKafkaCluster kafka, TestSchemaRegistryServer registry, int port) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-Xmx768m", "-cp", System.getProperty("java.class.path"),
                "io.vlmstreams.topology.app.StreamsMain",
                "bootstrap.servers=" + kafka.bootstrapServers(), "schema.registry.url=" + registry.url(),
                "model.dir=" + TinyModelFolder.get().toString(), "pipelines=main",
                "pipeline.main.prompt=Describe this image.", "pipeline.main.input.topics=live-in",
                "pipeline.main.output.topic=live-out", "dead.letter.topic=live-dlq",
                "state.dir=" + temp.resolve("state").toString(), "application.id=live-test", "metrics.port=" + port,
                "engine.provider=cpu", "batch.linger.ms=30", "pipeline.main.max.new.tokens=4",
                "shutdown.timeout.ms=10000", "ui.enabled=true");
        File log = temp.resolve("run.log").toFile();
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
    }

    private int awaitStatus(URI uri, int status, Process app) throws Exception {
        long end = System.nanoTime() + LIMIT.toNanos();
        int last = -1;
        while (System.nanoTime() < end && app.isAlive()) {
            try {
                last = http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode();
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
