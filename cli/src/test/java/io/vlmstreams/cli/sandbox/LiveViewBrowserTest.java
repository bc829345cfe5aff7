package io.vlmstreams.cli.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.vlmstreams.cli.ui.HeadlessChromium;
import io.vlmstreams.devstack.Fixtures;
import io.vlmstreams.devstack.samples.SampleImages;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The live view in a real browser: a sandbox run on the tiny model (real broker, registry and
 * application), its page opened in headless Chromium through chromedriver, every sample's answer
 * checked for its thumbnail (the image really decoded: {@code naturalWidth > 0}), its text, tokens
 * and timeline, a bad record checked to show as a dead letter with its reason, the full record
 * opened from the keyboard, and a screenshot saved as {@code target/ui-screenshot.png}.
 *
 * <p>Skips, saying so, where Debian's {@code chromium} and {@code chromium-driver} are not installed
 * ({@code .ci/run} installs them).
 */
class LiveViewBrowserTest {

    private static final Duration LIMIT = Duration.ofMinutes(5);

    @Test
    void showsEachSampleBesideItsAnswerAndADeadLetterWithItsReason(@TempDir Path project) throws Exception {
        HeadlessChromium.assumeInstalled();
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8);
        SandboxOptions options = new SandboxOptions(Optional.of(Fixtures.tinyOnnx()), "fp32", project, 1, 0, LIMIT);
        int samples = SampleImages.NAMES.size();

        try (Sandbox sandbox = Sandbox.start(options, out)) {
            assertThat(sandbox.sendSamples()).isEqualTo(samples);
            sendUndecodableRecord(sandbox);
            assertThat(console.toString(StandardCharsets.UTF_8)).contains("sandbox: live view at " + sandbox.uiUrl());

            ChromeDriver browser = HeadlessChromium.start();
            try {
                browser.get(sandbox.uiUrl().toString());
                WebDriverWait wait = new WebDriverWait(browser, LIMIT, Duration.ofMillis(250));
                wait.until(b -> b.findElements(By.cssSelector("article.answer")).size() == samples
                        && !b.findElements(By.cssSelector("article.dead_letter")).isEmpty());

                List<WebElement> answers = browser.findElements(By.cssSelector("article.answer"));
                for (WebElement answer : answers) {
                    WebElement img = answer.findElement(By.cssSelector(".thumb img"));
                    wait.until(b -> HeadlessChromium.loaded(browser, img));
                    assertThat(HeadlessChromium.naturalWidth(browser, img)).as(img.getAttribute("alt")).isPositive();
                    assertThat(answer.findElement(By.cssSelector(".answer-text")).getText()).isNotNull();
                    assertThat(answer.findElement(By.cssSelector(".tokens")).getText())
                            .containsPattern("tokens: prompt \\d+ \\(image \\d+\\), generated \\d+");
                    assertThat(answer.findElements(By.cssSelector(".timeline span"))).hasSize(4);
                    assertThat(answer.findElement(By.cssSelector(".legend")).getText())
                            .containsPattern("queued \\d+ ms").containsPattern("decode \\d+ ms");
                    assertThat(answer.findElement(By.cssSelector(".prompt")).getText())
                            .isEqualTo("Describe this image in one sentence.");
                }
                List<String> shown = answers.stream().map(a -> a.getAttribute("aria-label")).toList();
                for (String name : SampleImages.NAMES) {
                    assertThat(shown).contains("answer " + name);
                }
                WebElement dead = browser.findElement(By.cssSelector("article.dead_letter"));
                assertThat(dead.findElement(By.cssSelector(".reason")).getText()).isEqualTo("DESERIALIZATION");
                assertThat(dead.findElement(By.cssSelector(".message")).getText()).isNotBlank();

                // The header catches up with the meters within a second or so.
                wait.until(b -> b.findElement(By.id("s-answered")).getText().equals(String.valueOf(samples)));
                assertThat(browser.findElement(By.id("s-dead")).getText()).contains("DESERIALIZATION 1");
                assertThat(browser.findElement(By.id("s-model")).getText()).isNotBlank().isNotEqualTo("–");
                assertThat(browser.findElement(By.id("s-provider")).getText()).matches("CPU|CUDA.*|TENSORRT.*");

                Path target = Path.of("target");
                Files.createDirectories(target);
                Path screenshot = target.resolve("ui-screenshot.png");
                Files.write(screenshot, browser.getScreenshotAs(OutputType.BYTES));
                System.out.println("live view screenshot: " + screenshot.toAbsolutePath());

                // Keyboard: the first entry opens its full record as JSON; the filter hides answers.
                WebElement first = browser.findElement(By.cssSelector("#entries article"));
                first.sendKeys(Keys.ENTER);
                wait.until(b -> b.findElement(By.id("detail")).isDisplayed());
                assertThat(browser.findElement(By.id("detail-json")).getText()).contains("\"event_id\"");
                browser.findElement(By.id("detail-close")).click();
                browser.findElement(By.cssSelector("#f-outcome option[value='dead_letter']")).click();
                assertThat(browser.findElements(By.cssSelector("#entries li:not([hidden]) article.answer"))).isEmpty();
                assertThat(browser.findElements(By.cssSelector("#entries li:not([hidden]) article.dead_letter"))).hasSize(1);
            } finally {
                browser.quit();
            }
        } finally {
            System.out.println(console.toString(StandardCharsets.UTF_8));
        }
    }

    /** Bytes no ImageEvent reader can read: the application dead-letters them as DESERIALIZATION. */
    private static void sendUndecodableRecord(Sandbox sandbox) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(sandbox.services().clientConfigs(),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Sandbox.INPUT_TOPIC, "not avro".getBytes(StandardCharsets.UTF_8),
                    "these bytes are not an ImageEvent".getBytes(StandardCharsets.UTF_8))).get();
        }
    }
}
