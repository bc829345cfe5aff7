package io.vlmstreams.topology.ops.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.vlmstreams.devstack.samples.SampleImages;
import io.vlmstreams.schemas.Answer;
import io.vlmstreams.schemas.FinishReason;
import io.vlmstreams.schemas.ImageEvent;
import io.vlmstreams.schemas.InlineImage;
import io.vlmstreams.schemas.StageTimings;
import io.vlmstreams.schemas.serde.SchemaRegistryClient;
import io.vlmstreams.schemas.serde.SchemaRegistryClients;
import io.vlmstreams.schemas.serde.SpecificAvroSerde;
import io.vlmstreams.topology.config.AppConfig;
import io.vlmstreams.topology.config.ConfigSource;
import io.vlmstreams.topology.ops.OpsServer;
import io.vlmstreams.topology.ops.StreamsHealth;
import io.vlmstreams.topology.ops.VlmMetrics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The live view over real HTTP, fed through its tap as the Streams clients feed it: an answer is
 * joined to its event's image and prompt, the image is served by id, and a browser that never reads
 * does not hold up the tap or the view's other browsers.
 */
class LiveViewTest {

    private VlmMetrics metrics;
    private LiveView view;
    private OpsServer ops;
    private SpecificAvroSerde<ImageEvent> events;
    private SpecificAvroSerde<Answer> answers;

    @BeforeEach
    void start() {
        String registryUrl = "mock://live-view-" + UUID.randomUUID();
        AppConfig config = AppConfig.from(ConfigSource.of(Map.of("bootstrap.servers", "localhost:1",
                "schema.registry.url", registryUrl, "model.dir", "unused", "pipelines", "p",
                "pipeline.p.input.topics", "in", "pipeline.p.output.topic", "out",
                "pipeline.p.prompt", "Describe this image.", "ui.enabled", "true", "ui.max.entries", "50")));
        SchemaRegistryClient registry = SchemaRegistryClients.create(config.serdeConfigs());
        metrics = new VlmMetrics();
        view = new LiveView(config, registry, metrics, "tiny:fp32").start();
        ops = OpsServer.start(new InetSocketAddress("127.0.0.1", 0), metrics, new StreamsHealth());
        view.mount(ops);
        events = new SpecificAvroSerde<>(ImageEvent.class, registry);
        events.configure(config.serdeConfigs(), false);
        answers = new SpecificAvroSerde<>(Answer.class, registry);
        answers.configure(config.serdeConfigs(), false);
    }

    @AfterEach
    void stop() {
        view.close();
        ops.close();
        metrics.close();
    }

    @Test
    void showsACommittedAnswerWithItsImagePromptAndTimings() throws Exception {
        SampleImages.Sample sample = SampleImages.read(SampleImages.NAMES.get(0));
        String id = "event-1";
        view.consumed(new ConsumerRecord<>("in", 0, 7L, null, events.serializer().serialize("in", event(id, sample))));
        view.committed(List.of(new ProducerRecord<>("out", answers.serializer().serialize("out", answer(id, "a cat")))));

        String entry = firstEntry(ops.url().resolve("ui/events"));
        assertThat(entry).contains("\"kind\":\"answer\"").contains("\"event_id\":\"event-1\"")
                .contains("\"text\":\"a cat\"").contains("\"prompt\":\"Describe this image.\"")
                .contains("\"src\":\"/ui/image/event-1\"").contains("\"decode\":40").contains("\"finish\":\"STOP\"");

        HttpResponse<byte[]> image = get(ops.url().resolve("ui/image/event-1"), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(image.statusCode()).isEqualTo(200);
        assertThat(image.headers().firstValue("Content-Type")).contains(sample.mediaType());
        assertThat(image.body()).isEqualTo(sample.bytes());

        HttpResponse<String> page = get(ops.url().resolve("ui/"), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<script src=\"/ui/ui.js\">").doesNotContain("http://").doesNotContain("https://");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElse("")).contains("default-src 'self'");
        assertThat(get(ops.url().resolve("ui/ui.js"), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        assertThat(get(ops.url().resolve("ui/image/unknown"), HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(404);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS) // a guard against a hang, not a timing assertion
    void aBrowserThatNeverReadsBlocksNeitherTheTapNorOtherBrowsers() throws Exception {
        try (Socket stalled = new Socket("127.0.0.1", ops.port())) {
            stalled.setReceiveBufferSize(4096);
            OutputStream request = stalled.getOutputStream();
            request.write(("GET /ui/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            request.flush();
            while (view.clients() == 0) {
                Thread.sleep(10);
            }
            // Far more than the socket buffers and the client's queue hold; the tap must return for each.
            String text = "x".repeat(4000);
            int n = 5000;
            List<byte[]> values = new java.util.ArrayList<>();
            for (int i = 1; i <= n; i++) {
                values.add(answers.serializer().serialize("out", answer("e-" + i, text + i)));
            }
            long started = System.nanoTime();
            for (byte[] value : values) {
                view.committed(List.of(new ProducerRecord<>("out", value)));
            }
            long tapped = System.nanoTime();
            // Each record becomes an entry or, where the view's thread fell behind, is dropped from the view.
            while (view.entriesMade() + view.droppedFromView() < n) {
                Thread.sleep(20);
            }
            long viewed = System.nanoTime();
            System.out.printf("live view: %d committed answers of 4 KB through the tap in %.1f ms (%.2f us each on the "
                    + "calling thread); all handled after %.1f ms (%d made into entries, "
                    + "%d dropped from the view), with one browser stalled%n", n, (tapped - started) / 1e6,
                    (tapped - started) / 1e3 / n, (viewed - started) / 1e6, view.entriesMade(), view.droppedFromView());
            // The stalled browser is still connected, and a new one gets the newest entries at once.
            assertThat(view.clients()).isEqualTo(1);
            String entry = firstEntry(ops.url().resolve("ui/events"));
            assertThat(entry).contains("\"event_id\":\"e-" + (n - 49) + "\"");
        }
    }

    @Test
    void refusesConnectionsOffTheBindAddress() {
        UiAccess loopback = new UiAccess("127.0.0.1");
        assertThat(loopback.allows(new InetSocketAddress("127.0.0.1", 9404))).isTrue();
        assertThat(loopback.allows(new InetSocketAddress("10.1.2.3", 9404))).isFalse();
        assertThat(new UiAccess("0.0.0.0").allows(new InetSocketAddress("10.1.2.3", 9404))).isTrue();
        assertThat(new UiAccess("10.1.2.3").allows(new InetSocketAddress("10.1.2.3", 9404))).isTrue();
        assertThat(new UiAccess("10.1.2.3").allows(new InetSocketAddress("127.0.0.1", 9404))).isFalse();
    }

    @Test
    void answersOnlyLoopbackConnectionsByDefaultWhileMetricsAnswerAll() throws Exception {
        java.util.Optional<java.net.InetAddress> external = java.net.NetworkInterface.networkInterfaces()
                .flatMap(java.net.NetworkInterface::inetAddresses)
                .filter(a -> a instanceof java.net.Inet4Address && !a.isLoopbackAddress()).findFirst();
        org.junit.jupiter.api.Assumptions.assumeTrue(external.isPresent(), "no non-loopback IPv4 address on this machine");
        try (OpsServer everywhere = OpsServer.start(0, metrics, new StreamsHealth())) {
            view.mount(everywhere);
            URI outside = URI.create("http://" + external.get().getHostAddress() + ":" + everywhere.port() + "/");
            URI inside = URI.create("http://127.0.0.1:" + everywhere.port() + "/");
            assertThat(get(outside.resolve("ui/"), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(403);
            assertThat(get(outside.resolve("ui/events"), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(403);
            assertThat(get(outside.resolve("metrics"), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            assertThat(get(inside.resolve("ui/"), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        }
    }

    /** The data of the first {@code entry} event on a fresh event stream (the oldest the view holds). */
    private static String firstEntry(URI events) throws Exception {
        HttpURLConnectionReader reader = new HttpURLConnectionReader(events);
        try (reader) {
            String line;
            boolean entry = false;
            while ((line = reader.in.readLine()) != null) {
                if (line.equals("event: entry")) {
                    entry = true;
                } else if (entry && line.startsWith("data: ")) {
                    return line.substring("data: ".length());
                }
            }
        }
        throw new AssertionError("the event stream ended without an entry");
    }

    /** A raw HTTP/1.1 GET whose body is read line by line as it streams. */
    private static final class HttpURLConnectionReader implements AutoCloseable {
        final Socket socket;
        final BufferedReader in;

        HttpURLConnectionReader(URI uri) throws Exception {
            socket = new Socket(uri.getHost(), uri.getPort());
            socket.getOutputStream().write(("GET " + uri.getPath() + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        }

        @Override
        public void close() throws Exception {
            socket.close();
        }
    }

    private static <T> HttpResponse<T> get(URI uri, HttpResponse.BodyHandler<T> body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).GET().build(), body);
    }

    private static ImageEvent event(String id, SampleImages.Sample sample) {
        return ImageEvent.newBuilder().setEventId(id).setSourceId("camera-1").setEventTime(Instant.now())
                .setImage(InlineImage.newBuilder().setData(ByteBuffer.wrap(sample.bytes())).setMediaType(null).build())
                .setPrompt(null).setOverrides(null).setAttributes(Map.of("image", sample.name())).build();
    }

    private static Answer answer(String id, String text) {
        return Answer.newBuilder().setEventId(id).setSourceId("camera-1").setPipeline("p").setText(text)
                .setLabelScores(null).setFinishReason(FinishReason.STOP).setPromptTokens(100).setImageTokens(64)
                .setGeneratedTokens(5).setModelId("tiny:fp32")
                .setTimings(StageTimings.newBuilder().setQueuedMs(10).setPreprocessMs(20).setEncodeMs(30).setDecodeMs(40).build())
                .setAttributes(Map.of()).build();
    }
}
