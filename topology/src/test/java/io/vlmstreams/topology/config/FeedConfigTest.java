package io.vlmstreams.topology.config;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The camera-feed keys: off by default, read per pipeline, a prompts topic used once. */
class FeedConfigTest {

    private static Map<String, String> base() {
        Map<String, String> s = new HashMap<>(Map.of("bootstrap.servers", "b:9092", "schema.registry.url", "mock://feed",
                "model.dir", "m", "pipelines", "a,b", "pipeline.a.input.topics", "in-a", "pipeline.a.output.topic", "out-a",
                "pipeline.a.prompt", "A?", "pipeline.b.input.topics", "in-b", "pipeline.b.output.topic", "out-b"));
        s.put("pipeline.b.prompt", "B?");
        return s;
    }

    @Test
    void everyFeedSettingIsOffByDefault() {
        AppConfig config = AppConfig.from(ConfigSource.of(base()));
        assertThat(config.pipelines()).extracting(PipelineConfig::feed).containsOnly(FeedConfig.OFF);
    }

    @Test
    void aPipelinesFeedKeysAreItsOwn() {
        Map<String, String> s = base();
        s.putAll(Map.of("pipeline.b.max.event.age.ms", "2500", "pipeline.b.latest.per.source", "true",
                "pipeline.b.source.round.robin", "true", "pipeline.b.source.prompts.topic", "prompts-b"));
        AppConfig config = AppConfig.from(ConfigSource.of(s));
        assertThat(config.pipelines().get(0).feed()).isEqualTo(FeedConfig.OFF);
        assertThat(config.pipelines().get(1).feed())
                .isEqualTo(new FeedConfig(Duration.ofMillis(2500), true, true, "prompts-b"));
    }

    @Test
    void aPromptsTopicThatIsAnInputOrSharedIsRefused() {
        Map<String, String> shared = base();
        shared.putAll(Map.of("pipeline.a.source.prompts.topic", "prompts", "pipeline.b.source.prompts.topic", "prompts"));
        assertThatThrownBy(() -> AppConfig.from(ConfigSource.of(shared))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("pipeline.b.source.prompts.topic");
        Map<String, String> input = base();
        input.put("pipeline.a.source.prompts.topic", "in-b");
        assertThatThrownBy(() -> AppConfig.from(ConfigSource.of(input))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("already an input");
        Map<String, String> negative = base();
        negative.put("pipeline.a.max.event.age.ms", "-1");
        assertThatThrownBy(() -> AppConfig.from(ConfigSource.of(negative))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("pipeline.a.max.event.age.ms");
    }
}
