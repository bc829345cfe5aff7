package io.vlmstreams.topology.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** README's configuration reference is the rendering of the definitions, not a hand-kept copy. */
class SettingsDocTest {

    /** Set to {@code true} to rewrite README's tables from the definitions instead of checking them. */
    static final String REWRITE = "vlm.readme.rewrite";

    private static final String REGENERATE = "mvn -B -o -q -pl topology -am test -Dtest=SettingsDocTest "
            + "-Dsurefire.failIfNoSpecifiedTests=false -D" + REWRITE + "=true";

    @Test
    void readmeTablesAreTheRenderingOfTheDefinitions() throws IOException {
        Path readme = Path.of(System.getProperty("vlm.project.dir", ".."), "README.md");
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        String rendered = SettingsDoc.replaceIn(text);
        if (Boolean.getBoolean(REWRITE)) {
            Files.writeString(readme, rendered, StandardCharsets.UTF_8);
            text = rendered;
        }
        assertThat(text)
                .withFailMessage("README.md's configuration tables differ from the definitions in "
                        + "io.vlmstreams.topology.config.Settings; regenerate them with%n  %s", REGENERATE)
                .isEqualTo(rendered);
    }

    @Test
    void everyDefinedKeyIsDocumented() {
        String markdown = SettingsDoc.markdown();
        Settings.APP.configKeys().values().forEach(k -> assertThat(markdown).contains("| `" + k.name + "` | "));
        Settings.PIPELINE.configKeys().values().forEach(k -> assertThat(markdown).contains("| `" + k.name + "` | "));
        // Computed and inherited defaults read as what they are, not as this machine's values.
        assertThat(markdown).contains("| `engine.intra.op.threads` | cores the JVM sees |")
                .contains("| `batch.max.size` | `8` |")
                .contains("| `batch.max.size` | `batch.max.size` |")
                .contains("| `pipelines` | (required) |")
                .doesNotContain("fault.inject");
    }
}
