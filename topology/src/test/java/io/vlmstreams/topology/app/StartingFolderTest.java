package io.vlmstreams.topology.app;

import io.vlmstreams.devstack.Fixtures;
import io.vlmstreams.inference.engine.InferenceEngine;
import io.vlmstreams.inference.engine.SwappableEngine;
import io.vlmstreams.inference.model.ModelFolder;
import io.vlmstreams.topology.config.AppConfig;
import io.vlmstreams.topology.config.ConfigSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The engine starts on the folder the start-up check read, and refuses one read from another folder. */
class StartingFolderTest {

    private static AppConfig app(Path modelDir, Path file) {
        Map<String, String> s = new HashMap<>(Map.of("bootstrap.servers", "127.0.0.1:1", "schema.registry.url", "http://127.0.0.1:1",
                "model.dir", modelDir.toString(), "pipelines", "p", "pipeline.p.input.topics", "in",
                "pipeline.p.output.topic", "out", "pipeline.p.prompt", "What?"));
        if (file != null) {
            s.put("model.dir.file", file.toString());
        }
        return AppConfig.from(ConfigSource.of(s));
    }

    @Test
    void aSwappableEngineStartsOnTheFolderReadAtStart(@TempDir Path tmp) throws Exception {
        Path pointer = Files.writeString(tmp.resolve("current-model"), Fixtures.tinyOnnx() + "\n");
        AppConfig app = app(tmp.resolve("no-such-model"), pointer);
        SwappableEngine.ModelChoice first = ModelControl.startingModel(app);
        ModelFolder read = ModelFolder.open(first.dir(), first.dtype());

        try (InferenceEngine engine = ModelControl.openEngine(app, first, read)) {
            assertThat(engine).isInstanceOf(SwappableEngine.class);
            SwappableEngine.Status status = ((SwappableEngine) engine).status();
            assertThat(status.dir()).isEqualTo(Fixtures.tinyOnnx());
            assertThat(status.modelId()).isEqualTo(read.modelId());
        }
    }

    @Test
    void aFolderReadFromAnotherDirectoryIsRefused(@TempDir Path tmp) {
        AppConfig app = app(tmp.resolve("no-such-model"), null);
        ModelFolder other = ModelFolder.open(Fixtures.tinyOnnx(), "auto");

        assertThatThrownBy(() -> EngineLoader.open(app.model(), other))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not the configured");
    }
}
