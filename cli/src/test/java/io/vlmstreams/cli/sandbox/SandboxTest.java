package io.vlmstreams.cli.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.vlmstreams.devstack.samples.SampleImages;
import io.vlmstreams.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox end to end, as {@code ./vlm-streams sandbox --once} runs it: real embedded broker and
 * registry, the tiny synthetic model written on first use, every sample produced and answered, and
 * the metrics endpoint showing the answers over real HTTP.
 */
class SandboxTest {

    private static final Pattern RECORDS_OUT =
            Pattern.compile("^vlm_records_out_total\\{pipeline=\"sandbox\"} ([0-9.]+)$", Pattern.MULTILINE);

    @Test
    void answersEverySampleAndShowsItInMetrics(@TempDir Path project) throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8);
        SandboxOptions options = new SandboxOptions(Optional.empty(), "fp32", project, 2, 0, Duration.ofMinutes(5));
        int samples = SampleImages.NAMES.size();

        try (Sandbox sandbox = Sandbox.start(options, out)) {
            assertThat(sandbox.sendSamples()).isEqualTo(2 * samples);
            assertThat(sandbox.awaitSettled(options.timeout())).as(console.toString(StandardCharsets.UTF_8)).isTrue();

            Progress progress = sandbox.progress();
            System.out.println(console.toString(StandardCharsets.UTF_8));
            System.out.println("sandbox test: " + progress.line());
            assertThat(progress.answered()).isEqualTo(2 * samples);
            assertThat(progress.deadLettered()).isZero();

            HttpResponse<String> scrape = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(sandbox.metricsUrl()).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(scrape.statusCode()).isEqualTo(200);
            Matcher recordsOut = RECORDS_OUT.matcher(scrape.body());
            assertThat(recordsOut.find()).as(scrape.body()).isTrue();
            assertThat(Double.parseDouble(recordsOut.group(1))).isGreaterThan(0);
            assertThat(scrape.body()).contains("vlm_records_in_total{pipeline=\"sandbox\"}")
                    .contains("vlm_engine_provider{provider=")
                    .contains("vlm_engine_decoding_sequences ")
                    .contains("kafka_stream_");
        }

        String printed = console.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("RANDOM weights");
        for (String name : SampleImages.NAMES) {
            assertThat(printed).contains(name);
        }
        assertThat(project.resolve(".vlm/models/tiny-synthetic/" + SandboxModel.COMPLETE_MARKER)).isRegularFile();
    }

    @Test
    void onceCommandExitsZeroWhenEverySampleIsAnswered(@TempDir Path project) {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        String savedDir = System.getProperty("vlm.project.dir");
        int exit;
        try {
            System.setOut(new PrintStream(console, true, StandardCharsets.UTF_8));
            System.setProperty("vlm.project.dir", project.toString());
            exit = Main.commandLine().execute("sandbox", "--once", "--metrics-port", "0", "--timeout", "300");
        } finally {
            System.setOut(saved);
            if (savedDir == null) {
                System.clearProperty("vlm.project.dir");
            } else {
                System.setProperty("vlm.project.dir", savedDir);
            }
        }
        String printed = console.toString(StandardCharsets.UTF_8);
        System.out.println(printed);

        assertThat(exit).as(printed).isZero();
        int samples = SampleImages.NAMES.size();
        assertThat(printed).contains("sent " + samples + " events")
                .contains("progress: sent " + samples + ", answered " + samples + ", dead-lettered 0")
                .contains("all " + samples + " events answered");
        // The answers are printed before the final line, never after it.
        assertThat(printed.lastIndexOf("answer  ")).isLessThan(printed.indexOf("sandbox: all "));
    }

    @Test
    void prefersAModelUnderModelsAndReusesTheSyntheticOne(@TempDir Path project) throws Exception {
        Files.createDirectories(project.resolve("models/b-model/onnx"));
        Files.createDirectories(project.resolve("models/a-model"));
        Files.writeString(project.resolve("models/a-model/config.json"), "{}");
        Files.createDirectories(project.resolve("models/not-a-model"));
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

        SandboxModel found = SandboxModel.resolve(Optional.empty(), project, quiet);
        assertThat(found.dir()).isEqualTo(project.resolve("models/a-model").toAbsolutePath());
        assertThat(found.synthetic()).isFalse();

        SandboxModel given = SandboxModel.resolve(Optional.of(project.resolve("models/b-model")), project, quiet);
        assertThat(given.dir()).isEqualTo(project.resolve("models/b-model").toAbsolutePath());
    }
}
