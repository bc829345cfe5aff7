package io.vlmstreams.topology.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import io.vlmstreams.inference.engine.InferenceRequest;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading deploy/application.properties, environment overrides, validation messages, redaction. */
class AppConfigTest {

    private static Path deployFile() {
        return Path.of(System.getProperty("vlm.project.dir", ".."), "deploy", "application.properties");
    }

    @Test
    void readsTheShippedConfigurationWithEnvironmentOverrides() {
        AppConfig config = AppConfig.load(deployFile(), Map.of(
                "VLM_ENGINE_PROVIDER", "cuda",
                "VLM_BATCH_LINGER_MS", "250",
                "VLM_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.plain.PlainLoginModule required password=\"s3cret\";",
                "VLM_SECURITY_PROTOCOL", "SASL_SSL",
                "VLM_BASIC_AUTH_USER_INFO", "user:pw",
                "VLM_JAVA_OPTS", "-Xmx4g"));

        assertThat(config.model().provider()).isEqualTo("cuda");
        assertThat(config.pipelines()).extracting(PipelineConfig::name).containsExactly("moderation", "camera");
        PipelineConfig moderation = config.pipelines().get(0);
        assertThat(moderation.mode()).isEqualTo(InferenceRequest.Mode.CLASSIFY);
        assertThat(moderation.labels()).containsExactly("safe", "unsafe");
        assertThat(moderation.batch().linger().toMillis()).isEqualTo(250);
        assertThat(config.pipelines().get(1).generation().temperature()).isEqualTo(0.1);
        assertThat(config.kafkaSettings()).containsEntry("security.protocol", "SASL_SSL")
                .containsKey("sasl.jaas.config").doesNotContainKey("java.opts").doesNotContainKey("model.dir");
        assertThat(config.registrySettings()).containsEntry("basic.auth.user.info", "user:pw");
        assertThat(config.toString()).doesNotContain("s3cret").doesNotContain("user:pw");

        Properties streams = StreamsSettings.of(config);
        assertThat(streams.get("processing.guarantee")).isEqualTo("exactly_once_v2");
        assertThat(streams.get("producer.transaction.timeout.ms")).isEqualTo(300_000);
        assertThat(streams.get("security.protocol")).isEqualTo("SASL_SSL");
        assertThat(streams.get("state.dir")).isEqualTo("/var/lib/vlm-streams");
    }

    @Test
    void errorsNameTheKey() {
        Map<String, String> base = new HashMap<>(Map.of("bootstrap.servers", "b:9092", "schema.registry.url", "mock://x",
                "model.dir", "/m", "pipelines", "p", "pipeline.p.input.topics", "in", "pipeline.p.output.topic", "out",
                "pipeline.p.prompt", "Describe."));
        assertThat(AppConfig.from(ConfigSource.of(base)).pipelines()).hasSize(1);

        assertError(base, "batch.max.size", "zero", "batch.max.size");
        assertError(base, "pipeline.p.mode", "classify", "pipeline.p.labels");
        assertError(base, "pipeline.p.temperature", "-1", "pipeline.p.temperature");
        assertError(base, "fetch.allowed.schemes", "http,file", "fetch.allowed.schemes");
        assertError(base, "engine.max.batch.memory.mb", "-1", "engine.max.batch.memory.mb");
        assertError(base, "engine.cpu.arena", "maybe", "engine.cpu.arena");
        assertError(base, "pipeline.p.max.prompt.chars", "0", "pipeline.p.max.prompt.chars");
        Map<String, String> missing = new HashMap<>(base);
        missing.remove("pipeline.p.output.topic");
        assertThatThrownBy(() -> AppConfig.from(ConfigSource.of(missing)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("pipeline.p.output.topic");
    }

    @Test
    void reliabilityKeysAreOwnSettingsWithSafeDefaults() {
        Map<String, String> settings = new HashMap<>(Map.of("bootstrap.servers", "b:9092", "schema.registry.url", "mock://x",
                "model.dir", "/m", "pipelines", "p", "pipeline.p.input.topics", "in", "pipeline.p.output.topic", "out",
                "pipeline.p.prompt", "Describe."));
        AppConfig defaults = AppConfig.from(ConfigSource.of(settings));
        assertThat(defaults.model().maxBatchMemoryMb()).isZero();
        assertThat(defaults.model().cpuArena()).isTrue();
        assertThat(defaults.model().memoryPattern()).isFalse();
        assertThat(defaults.pipelines().get(0).maxPromptChars()).isEqualTo(PipelineConfig.DEFAULT_MAX_PROMPT_CHARS);

        settings.putAll(Map.of("engine.max.batch.memory.mb", "2048",
                "pipeline.p.max.prompt.chars", "300", "engine.cpu.arena", "false", "engine.memory.pattern", "true"));
        AppConfig set = AppConfig.from(ConfigSource.of(settings));
        assertThat(set.model().maxBatchMemoryMb()).isEqualTo(2048);
        assertThat(set.model().cpuArena()).isFalse();
        assertThat(set.model().memoryPattern()).isTrue();
        assertThat(set.pipelines().get(0).maxPromptChars()).isEqualTo(300);
        assertThat(set.kafkaSettings()).doesNotContainKeys("engine.max.batch.memory.mb",
                "engine.cpu.arena", "engine.memory.pattern");
    }

    @Test
    void theCommandLinesEngineDefaultsAreTheApplications() {
        Map<String, String> settings = new HashMap<>(Map.of("bootstrap.servers", "b:9092", "schema.registry.url", "mock://x",
                "model.dir", "/m", "pipelines", "p", "pipeline.p.input.topics", "in", "pipeline.p.output.topic", "out",
                "pipeline.p.prompt", "Describe."));
        ModelConfig shared = ModelConfig.defaults(Path.of("/m"));
        assertThat(shared).isEqualTo(AppConfig.from(ConfigSource.of(settings)).model());
        assertThat(shared.provider()).isEqualTo("auto");
        assertThat(shared.intraOpThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(shared.interOpThreads()).isEqualTo(1);
    }

    @Test
    void pipelineBatchKeysDefaultToTheApplicationsAndMayOverrideThem() {
        Map<String, String> settings = new HashMap<>(Map.of("bootstrap.servers", "b:9092", "schema.registry.url", "mock://x",
                "model.dir", "/m", "pipelines", "a,b", "pipeline.a.input.topics", "a.in", "pipeline.a.output.topic", "out",
                "pipeline.a.prompt", "Describe.", "pipeline.b.input.topics", "b.in", "pipeline.b.output.topic", "out",
                "pipeline.b.prompt", "Describe."));
        settings.putAll(Map.of("batch.max.size", "3", "batch.reference.image.tokens", "99", "pipeline.b.batch.max.size", "5"));
        AppConfig config = AppConfig.from(ConfigSource.of(settings));
        assertThat(config.pipelines().get(0).batch()).isEqualTo(new BatchConfig(3, 8192, Duration.ofMillis(100), 99));
        assertThat(config.pipelines().get(1).batch()).isEqualTo(new BatchConfig(5, 8192, Duration.ofMillis(100), 99));
        assertError(settings, "pipeline.b.batch.max.size", "0", "pipeline.b.batch.max.size");
        assertError(settings, "pipeline.a.top.p", "NaN", "pipeline.a.top.p");
        assertError(settings, "pipelines", "a,b,a", "pipelines");
        assertError(settings, "pipeline.a.input.topics", "b.in", "pipeline.b.input.topics");
    }

    private static void assertError(Map<String, String> base, String key, String value, String named) {
        Map<String, String> settings = new HashMap<>(base);
        settings.put(key, value);
        assertThatThrownBy(() -> AppConfig.from(ConfigSource.of(settings)))
                .isInstanceOf(ConfigException.class).hasMessageContaining(named);
    }
}
