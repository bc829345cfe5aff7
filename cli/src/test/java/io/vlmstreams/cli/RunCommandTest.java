package io.vlmstreams.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code run}'s settings: layering, and a settings mistake reported in one line, not a stack trace. */
class RunCommandTest {

    @TempDir
    Path dir;

    private Path file(String... lines) throws IOException {
        Path file = dir.resolve("app.properties");
        Files.writeString(file, String.join("\n", lines) + "\n");
        return file;
    }

    @Test
    void anUnknownKeyStopsTheStartWithOneLine() throws IOException {
        Path config = file("bootstrap.servers=b:9092", "schema.registry.url=mock://run", "model.dir=/m", "pipelines=p",
                "pipeline.p.input.topics=in", "pipeline.p.output.topic=out", "pipeline.p.prompt=Describe.",
                "engine.provder=cuda");
        Cli.Result result = Cli.execute("run", "--config", config.toString());
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err().strip())
                .isEqualTo("error: Unknown setting 'engine.provder' (did you mean 'engine.provider'?)");
    }

    @Test
    void theSinglePipelineFormTakesItsPipelineVariablesAndOptionsWin() {
        RunCommand run = new RunCommand();
        picocli.CommandLine cli = new picocli.CommandLine(run);
        cli.parseArgs("--bootstrap", "b:9092", "--registry", "mock://run", "--model", "/m", "--input", "in", "--output", "out",
                "--set", "engine.provider=cpu", "--metrics-port", "9500");
        Map<String, String> settings = run.source(Map.of("VLM_PIPELINE_main_MAX_NEW_TOKENS", "7",
                "VLM_ENGINE_PROVIDER", "cuda", "VLM_BOOTSTRAP_SERVERS", "env:9092")).asMap();
        assertThat(settings).containsEntry("pipeline.main.max.new.tokens", "7")
                .containsEntry("engine.provider", "cpu")
                .containsEntry("bootstrap.servers", "b:9092")
                .containsEntry("metrics.port", "9500")
                .containsEntry("pipeline.main.prompt", "Describe this image.");
    }
}
