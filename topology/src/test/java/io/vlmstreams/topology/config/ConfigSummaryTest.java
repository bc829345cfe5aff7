package io.vlmstreams.topology.config;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The configuration log line: keys as the user sets them, secrets hidden, no record internals. */
class ConfigSummaryTest {

    @Test
    void namesKeysAndHidesSecrets() {
        AppConfig app = AppConfig.load(Path.of(System.getProperty("vlm.project.dir", ".."), "deploy", "application.properties"),
                Map.of("VLM_SASL_JAAS_CONFIG", "PlainLoginModule required password=\"s3cret\";",
                        "VLM_BASIC_AUTH_USER_INFO", "user:pw",
                        "VLM_SCHEMA_REGISTRY_URL", "https://user:pw@registry:8081"));
        String line = ConfigSummary.line(app);
        System.out.println("Configuration: " + line);
        assertThat(line).contains("pipeline.moderation.mode=classify").contains("engine.provider=")
                .contains("sasl.jaas.config=[hidden]").contains("basic.auth.user.info=[hidden]")
                .contains("schema.registry.url=https://[hidden]@registry:8081")
                .doesNotContain("s3cret").doesNotContain("user:pw").doesNotContain("ModelConfig[");
    }
}
