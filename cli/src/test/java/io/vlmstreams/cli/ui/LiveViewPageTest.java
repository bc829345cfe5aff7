package io.vlmstreams.cli.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.vlmstreams.devstack.samples.SampleImages;
import io.vlmstreams.schemas.Answer;
import io.vlmstreams.schemas.FinishReason;
import io.vlmstreams.schemas.ImageEvent;
import io.vlmstreams.schemas.ImageReference;
import io.vlmstreams.schemas.InlineImage;
import io.vlmstreams.schemas.LabelScore;
import io.vlmstreams.schemas.StageTimings;
import io.vlmstreams.schemas.serde.SchemaRegistryClient;
import io.vlmstreams.schemas.serde.SchemaRegistryClients;
import io.vlmstreams.schemas.serde.SpecificAvroSerde;
import io.vlmstreams.topology.config.AppConfig;
import io.vlmstreams.topology.config.ConfigSource;
import io.vlmstreams.topology.ops.OpsServer;
import io.vlmstreams.topology.ops.StreamsHealth;
import io.vlmstreams.topology.ops.VlmMetrics;
import io.vlmstreams.topology.ops.ui.LiveView;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page's controls in headless Chromium, on a live view fed through its tap as the Streams
 * clients feed it (two pipelines, no model): label scores drawn as bars, an image by reference shown
 * through its URL when allowed, the source filter, and pausing (entries held, then shown on resume).
 */
class LiveViewPageTest {

    @Test
    void drawsLabelBarsShowsReferencedImagesFiltersAndPauses() throws Exception {
        HeadlessChromium.assumeInstalled();
        AppConfig config = AppConfig.from(ConfigSource.of(Map.ofEntries(Map.entry("bootstrap.servers", "localhost:1"),
                Map.entry("schema.registry.url", "mock://page-" + UUID.randomUUID()), Map.entry("model.dir", "unused"),
                Map.entry("pipelines", "describe,moderate"),
                Map.entry("pipeline.describe.input.topics", "in-d"), Map.entry("pipeline.describe.output.topic", "out-d"),
                Map.entry("pipeline.describe.prompt", "Describe this image."),
                Map.entry("pipeline.moderate.input.topics", "in-m"), Map.entry("pipeline.moderate.output.topic", "out-m"),
                Map.entry("pipeline.moderate.prompt", "Is this image safe?"), Map.entry("pipeline.moderate.mode", "classify"),
                Map.entry("pipeline.moderate.labels", "safe,unsafe,unsure"),
                Map.entry("ui.enabled", "true"), Map.entry("ui.show.referenced.images", "true"))));
        SchemaRegistryClient registry = SchemaRegistryClients.create(config.serdeConfigs());
        SpecificAvroSerde<ImageEvent> events = new SpecificAvroSerde<>(ImageEvent.class, registry);
        events.configure(config.serdeConfigs(), false);
        SpecificAvroSerde<Answer> answers = new SpecificAvroSerde<>(Answer.class, registry);
        answers.configure(config.serdeConfigs(), false);

        try (VlmMetrics metrics = new VlmMetrics();
             LiveView view = new LiveView(config, registry, metrics, "tiny:fp32").start();
             OpsServer ops = OpsServer.start(new InetSocketAddress("127.0.0.1", 0), metrics, new StreamsHealth())) {
            view.mount(ops);
            String referenced = ops.url().resolve("ui/image/e1").toString();
            view.consumed(input(events, "in-d", inline("e1", "cam-1", "coins.png")));
            view.consumed(input(events, "in-m", inline("e2", "cam-2", "chelsea.png")));
            view.consumed(input(events, "in-d", byReference("e3", "cam-1", referenced)));
            view.committed(List.of(output(answers, "out-d", describe("e1", "cam-1", "coins on a table"))));
            view.committed(List.of(output(answers, "out-m", classify("e2", "cam-2"))));
            view.committed(List.of(output(answers, "out-d", describe("e3", "cam-1", "the same coins, fetched"))));

            ChromeDriver browser = HeadlessChromium.start();
            try {
                browser.get(ops.url().resolve("ui/").toString());
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofMinutes(1), Duration.ofMillis(100));
                wait.until(b -> b.findElements(By.cssSelector("#entries article")).size() == 3);

                // Newest first.
                List<String> order = browser.findElements(By.cssSelector("#entries article")).stream()
                        .map(a -> a.getAttribute("data-event-id")).toList();
                assertThat(order).containsExactly("e3", "e2", "e1");

                WebElement classified = article(browser, "e2");
                List<WebElement> labels = classified.findElements(By.cssSelector(".labels li"));
                assertThat(labels).hasSize(3);
                assertThat(labels.get(0).getText()).startsWith("safe");
                double safe = width(labels.get(0));
                assertThat(safe).isGreaterThan(width(labels.get(1))).isGreaterThan(width(labels.get(2)));
                assertThat(classified.findElement(By.cssSelector(".tokens")).getText()).contains("finish CLASSIFIED");

                WebElement fetched = article(browser, "e3").findElement(By.cssSelector(".thumb img"));
                assertThat(fetched.getAttribute("src")).isEqualTo(referenced);
                wait.until(b -> HeadlessChromium.loaded(browser, fetched));
                assertThat(HeadlessChromium.naturalWidth(browser, fetched)).isPositive();

                browser.findElement(By.cssSelector("#f-source option[value='cam-2']")).click();
                assertThat(visibleIds(browser)).containsExactly("e2");
                browser.findElement(By.cssSelector("#f-source option[value='']")).click();
                assertThat(visibleIds(browser)).containsExactly("e3", "e2", "e1");

                WebElement pause = browser.findElement(By.id("pause"));
                pause.click();
                assertThat(pause.getAttribute("aria-pressed")).isEqualTo("true");
                view.consumed(input(events, "in-d", inline("e4", "cam-1", "rocket.jpg")));
                view.committed(List.of(output(answers, "out-d", describe("e4", "cam-1", "a rocket"))));
                wait.until(b -> b.findElement(By.id("shown")).getText().contains("1 new held"));
                assertThat(visibleIds(browser)).containsExactly("e3", "e2", "e1");
                pause.click();
                assertThat(visibleIds(browser)).containsExactly("e4", "e3", "e2", "e1");
            } finally {
                browser.quit();
            }
        }
    }

    private static WebElement article(ChromeDriver browser, String eventId) {
        return browser.findElement(By.cssSelector("article[data-event-id='" + eventId + "']"));
    }

    private static List<String> visibleIds(ChromeDriver browser) {
        return browser.findElements(By.cssSelector("#entries li:not([hidden]) article")).stream()
                .map(a -> a.getAttribute("data-event-id")).toList();
    }

    private static double width(WebElement label) {
        return label.findElement(By.cssSelector(".bar span")).getSize().getWidth();
    }

    private static ConsumerRecord<byte[], byte[]> input(SpecificAvroSerde<ImageEvent> serde, String topic, ImageEvent e) {
        return new ConsumerRecord<>(topic, 0, 0L, null, serde.serializer().serialize(topic, e));
    }

    private static ProducerRecord<byte[], byte[]> output(SpecificAvroSerde<Answer> serde, String topic, Answer a) {
        return new ProducerRecord<>(topic, serde.serializer().serialize(topic, a));
    }

    private static ImageEvent inline(String id, String source, String sample) {
        SampleImages.Sample s = SampleImages.read(sample);
        return event(id, source, InlineImage.newBuilder().setData(ByteBuffer.wrap(s.bytes())).setMediaType(s.mediaType()).build());
    }

    private static ImageEvent byReference(String id, String source, String uri) {
        return event(id, source, ImageReference.newBuilder().setUri(uri).setMediaType(null).build());
    }

    private static ImageEvent event(String id, String source, Object image) {
        return ImageEvent.newBuilder().setEventId(id).setSourceId(source).setEventTime(Instant.now()).setImage(image)
                .setPrompt(null).setOverrides(null).setAttributes(Map.of()).build();
    }

    private static Answer describe(String id, String source, String text) {
        return answer(id, source, "describe", text, FinishReason.STOP, null);
    }

    private static Answer classify(String id, String source) {
        List<LabelScore> scores = List.of(new LabelScore("safe", -0.1), new LabelScore("unsafe", -2.3),
                new LabelScore("unsure", -3.0));
        return answer(id, source, "moderate", "safe", FinishReason.CLASSIFIED, scores);
    }

    private static Answer answer(String id, String source, String pipeline, String text, FinishReason finish,
                                 List<LabelScore> scores) {
        return Answer.newBuilder().setEventId(id).setSourceId(source).setPipeline(pipeline).setText(text)
                .setLabelScores(scores).setFinishReason(finish).setPromptTokens(90).setImageTokens(64)
                .setGeneratedTokens(scores == null ? 6 : 0).setModelId("tiny:fp32")
                .setTimings(StageTimings.newBuilder().setQueuedMs(5).setPreprocessMs(15).setEncodeMs(25).setDecodeMs(35).build())
                .setAttributes(Map.of()).build();
    }
}
