package io.vlmstreams.cli;

import io.vlmstreams.inference.engine.TinyModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code soak --requests N} on the tiny model: the command's mechanics (warm-up, a memory sample per
 * interval, the verdict line and the exit code that follows it). What counts as flat or growing is
 * {@link SoakVerdictTest}'s subject, on synthetic series; here the tolerance is set so wide that the
 * verdict is known.
 */
class SoakCommandTest {

    @TempDir
    Path temp;

    @Test
    void samplesAfterEveryBatchAndExitsWithTheVerdict() throws Exception {
        Path images = Files.createDirectories(temp.resolve("images"));
        for (String name : List.of("coins.png", "green_palette.png")) {
            Files.copy(TinyModel.image(name), images.resolve(name));
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int rc;
        try (PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            rc = new CommandLine(new SoakCommand(capture)).execute("--model", TinyModel.onnxFolder().toString(),
                    "--requests", "12", "--batch-size", "3", "--max-new-tokens", "3", "--interval", "0", "--warmup", "0",
                    "--images", images.toString(), "--tolerance-mb", "1000000");
        }
        String output = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(output);
        List<String> samples = output.lines().filter(l -> l.startsWith("sample ")).toList();
        // warm-up pass (one batch covers both images), then a sample after each of the 3 other batches
        assertThat(samples).hasSize(4).allSatisfy(l -> assertThat(l).contains("heap_used_mb=", "rss_mb="));
        assertThat(samples.get(0)).contains("requests=3");
        assertThat(samples.get(1)).contains("requests=6");
        assertThat(samples.get(3)).contains("requests=12");
        assertThat(output).contains("soak: 12 requests", "0 failed");
        // a million MB of tolerance: whatever the memory did, the verdict is FLAT and the exit code 0
        assertThat(output.lines().filter(l -> l.startsWith("VERDICT: ")).toList()).singleElement()
                .satisfies(l -> assertThat(l).startsWith("VERDICT: FLAT heap").contains("of 1000000 allowed"));
        assertThat(rc).isZero();
    }

    @Test
    void aBatchSizeThatWouldNeverFinishIsAShortError() {
        StringWriter err = new StringWriter();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int rc = new CommandLine(new SoakCommand(new PrintStream(bytes, true, StandardCharsets.UTF_8)))
                .setErr(new PrintWriter(err, true))
                .execute("--model", TinyModel.onnxFolder().toString(), "--requests", "3", "--batch-size", "0");
        assertThat(rc).isNotZero();
        assertThat(err.toString()).contains("--batch-size must be at least 1, got 0").doesNotContain("Exception");
        assertThat(bytes.toString(StandardCharsets.UTF_8)).doesNotContain("soak: model");
    }
}
