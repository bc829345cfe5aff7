package io.vlmstreams.topology.app;

import io.vlmstreams.devstack.Fixtures;
import io.vlmstreams.inference.engine.SwappableEngine;
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

/** The start-up check reads the folder the engine will start on: what model.dir.file names wins over model.dir. */
class StartingModelTest {

    private static AppConfig app(Path modelDir, Path file) {
        Map<String, String> s = new HashMap<>(Map.of("bootstrap.servers", "127.0.0.1:1", "schema.registry.url", "http://127.0.0.1:1",
                "model.dir", modelDir.toString(), "pipelines", "p", "pipeline.p.input.topics", "in",
                "pipeline.p.output.topic", "out", "pipeline.p.prompt", "What?", "startup.check.timeout.ms", "500"));
        if (file != null) {
            s.put("model.dir.file", file.toString());
        }
        return AppConfig.from(ConfigSource.of(s));
    }

    @Test
    void aFolderNamedByTheModelFileIsTheOneCheckedNotModelDir(@TempDir Path tmp) throws Exception {
        Path missing = tmp.resolve("no-such-model");
        Path pointer = Files.writeString(tmp.resolve("current-model"), Fixtures.tinyOnnx() + "\n");

        SwappableEngine.ModelChoice first = ModelControl.startingModel(app(missing, pointer));
        assertThat(first.dir()).isEqualTo(Fixtures.tinyOnnx());
        // the folder passes; the run stops at the next check (nothing answers at 127.0.0.1:1), not at model.dir
        assertThat(StreamsMain.run(app(missing, pointer))).isEqualTo(StreamsMain.EXIT_NOT_READY);
        assertThatThrownBy(() -> StreamsMain.run(app(missing, null))).hasMessageContaining("no-such-model");
    }
}
