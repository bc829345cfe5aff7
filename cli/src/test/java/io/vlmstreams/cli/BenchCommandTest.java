package io.vlmstreams.cli;

import io.vlmstreams.inference.engine.TinyModel;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code bench} on the tiny model ends with the kernel-baseline table: a share for each stage at each batch size. */
class BenchCommandTest {

    @Test
    void printsEachStagesShareOfAPlainMatMulPerBatchSize() {
        List<String> lines = bench("--kernel-baseline");
        for (String batch : List.of("1", "2")) {
            for (String stage : List.of("encoder", "prefill", "decode")) {
                assertThat(lines).as(batch + " " + stage).anyMatch(l -> l.matches(
                        "\\s*" + batch + "\\s+" + stage + "\\s+MatMul fp32 +\\d+\\s+\\d+\\.\\d\\s+\\d+\\.\\d\\s+\\d+%"));
            }
        }
    }

    @Test
    void noKernelBaselineLeavesTheTableOut() {
        assertThat(bench("--no-kernel-baseline")).noneMatch(l -> l.contains("plain_GFLOP/s"));
    }

    private static List<String> bench(String baselineFlag) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            int rc = new CommandLine(new BenchCommand(capture)).execute("--model", TinyModel.onnxFolder().toString(),
                    "--provider", "cpu", "--cache-dir", "none", "--batch-sizes", "1,2", "--max-new-tokens", "4",
                    "--processor-rounds", "1", "--no-compare-transformers-js", baselineFlag);
            assertThat(rc).isZero();
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(out);
        return out.lines().toList();
    }
}
