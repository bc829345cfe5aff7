package io.vlmstreams.topology.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
            int port = StreamsMainChild.freePort();
            URI base = URI.create("http://127.0.0.1:" + port + "/");
            Process app = StreamsMainChild.start(kafka, registry, temp, port, "live", "ui.enabled=true");
            try {
                assertThat(StreamsMainChild.awaitStatus(base.resolve("ui/"), 200, app)).as(StreamsMainChild.log(temp)).isEqualTo(200);
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
}
