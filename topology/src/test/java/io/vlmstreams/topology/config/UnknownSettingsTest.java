package io.vlmstreams.topology.config;

import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A key nobody reads stops the start with one message naming it and the nearest known key. */
class UnknownSettingsTest {

    private static Map<String, String> base() {
        return new HashMap<>(Map.of("bootstrap.servers", "b:9092", "schema.registry.url", "mock://x", "model.dir", "/m",
                "pipelines", "camera", "pipeline.camera.input.topics", "in", "pipeline.camera.output.topic", "out",
                "pipeline.camera.prompt", "Describe."));
    }

    private static AppConfig with(String key, String value) {
        Map<String, String> settings = base();
        settings.put(key, value);
        return AppConfig.from(ConfigSource.of(settings));
    }

    @Test
    void aMistypedOwnKeyNamesTheNearestKey() {
        assertThatThrownBy(() -> with("engine.provder", "cuda"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Unknown setting 'engine.provder' (did you mean 'engine.provider'?)");
        assertThatThrownBy(() -> with("batch.linger", "5"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("did you mean 'batch.linger.ms'?");
        // the test-only fault key is no setting any more
        assertThatThrownBy(() -> with("engine.fault.inject.event-ids", "a"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'engine.fault.inject.event-ids'");
    }

    @Test
    void aPipelineKeyNeedsADeclaredPipelineAndAKnownSuffix() {
        assertThatThrownBy(() -> with("pipeline.camra.prompt", "x"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Unknown setting 'pipeline.camra.prompt': 'camra' is not one of the pipelines declared in "
                        + "pipelines (camera) (did you mean 'pipeline.camera.prompt'?)");
        assertThatThrownBy(() -> with("pipeline.Camera.prompt", "x"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("did you mean 'pipeline.camera.prompt'?");
        assertThatThrownBy(() -> with("pipeline.camera.max.tokens", "8"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("did you mean 'pipeline.camera.max.new.tokens'?");
    }

    @Test
    void aPassThroughKeyMustBeOneKafkasClientsDefine() {
        assertThatThrownBy(() -> with("max.poll.intervall.ms", "1000"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("did you mean 'max.poll.interval.ms'?");
        assertThatThrownBy(() -> with("consumer.max.pol.records", "10"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("did you mean 'consumer.max.poll.records'?");
        AppConfig config = with("consumer.max.poll.records", "10");
        assertThat(config.kafkaSettings()).containsEntry("consumer.max.poll.records", "10");
        assertThat(with("topic.max.message.bytes", "1048576").kafkaSettings()).containsKey("topic.max.message.bytes");
        assertThat(with("client.tag.zone", "eu-1a").kafkaSettings()).containsEntry("client.tag.zone", "eu-1a");
        assertThat(with("fetch.min.bytes", "1").kafkaSettings()).containsEntry("fetch.min.bytes", "1");
    }

    @Test
    void registryKeysAreTheOnesTheSerdeReadsAndGoToIt() {
        assertThatThrownBy(() -> with("schema.registry.user.info", "u:p"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'schema.registry.user.info'");
        assertThatThrownBy(() -> with("basic.auth.credential.source", "USER_INFO"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("did you mean 'basic.auth.credentials.source'?");
        AppConfig config = with("auto.register.schemas", "false");
        assertThat(config.serdeConfigs()).containsEntry("auto.register.schemas", "false");
        assertThat(config.kafkaSettings()).doesNotContainKey("auto.register.schemas");
    }

    @Test
    void everyUnknownKeyIsNamedInOneMessage() {
        Map<String, String> settings = base();
        settings.putAll(Map.of("engine.provder", "cuda", "fetch.max.byte", "1"));
        assertThatThrownBy(() -> AppConfig.from(ConfigSource.of(settings)))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Unknown settings: 'engine.provder' (did you mean 'engine.provider'?); "
                        + "'fetch.max.byte' (did you mean 'fetch.max.bytes'?)");
    }
}
