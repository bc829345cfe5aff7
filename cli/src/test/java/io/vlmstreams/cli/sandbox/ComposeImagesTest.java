package io.vlmstreams.cli.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link ContainerStackTest} runs the broker and registry images docker-compose.yml names (checked without Docker). */
class ComposeImagesTest {

    @Test
    void readsTheImagesOfTheComposeFile() {
        assertThat(ComposeImages.of("kafka")).startsWith("apache/kafka:");
        assertThat(ComposeImages.of("schema-registry")).startsWith("confluentinc/cp-schema-registry:");
    }
}
