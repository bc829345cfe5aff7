package io.vlmstreams.topology.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.vlmstreams.inference.engine.InferenceRequest;
import io.vlmstreams.inference.engine.Policy;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code mode=moderate} with {@code pipeline.<p>.policy.<name>.question} and {@code .threshold} (default 0.5). */
class PolicySettingsTest {

    private static Map<String, String> base() {
        return new HashMap<>(Map.of("bootstrap.servers", "b:9092", "schema.registry.url", "mock://x", "model.dir", "/m",
                "pipelines", "mod", "pipeline.mod.input.topics", "in", "pipeline.mod.output.topic", "out",
                "pipeline.mod.prompt", "Check the image."));
    }

    private static PipelineConfig with(Map<String, String> extra) {
        Map<String, String> settings = base();
        settings.putAll(extra);
        return AppConfig.from(ConfigSource.of(settings)).pipelines().get(0);
    }

    @Test
    void policiesAreReadByNameWithTheirThresholds() {
        PipelineConfig p = with(Map.of("pipeline.mod.mode", "moderate",
                "pipeline.mod.policy.violence.question", "Is there violence?",
                "pipeline.mod.policy.violence.threshold", "0.7",
                "pipeline.mod.policy.nudity.question", "Is there nudity?"));
        assertThat(p.mode()).isEqualTo(InferenceRequest.Mode.MODERATE);
        assertThat(p.policies()).containsExactly(new Policy("nudity", "Is there nudity?", 0.5),
                new Policy("violence", "Is there violence?", 0.7));
        assertThat(with(Map.of()).policies()).isEqualTo(List.of());
    }

    @Test
    void mistakesNameTheKey() {
        assertThatThrownBy(() -> with(Map.of("pipeline.mod.mode", "moderate")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("at least one pipeline.mod.policy.<policy>.question");
        assertThatThrownBy(() -> with(Map.of("pipeline.mod.mode", "moderate", "pipeline.mod.policy.v.threshold", "0.2")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("pipeline.mod.policy.v.question");
        assertThatThrownBy(() -> with(Map.of("pipeline.mod.mode", "moderate", "pipeline.mod.policy.v.question", "Q?",
                "pipeline.mod.policy.v.threshold", "1.5")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("pipeline.mod.policy.v.threshold");
        assertThatThrownBy(() -> with(Map.of("pipeline.mod.policy.v.question", "Q?")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("moderate mode only");
        assertThatThrownBy(() -> with(Map.of("pipeline.mod.mode", "moderate", "pipeline.mod.policy.v.question", "Q?",
                "pipeline.mod.policy.v.treshold", "0.2")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("pipeline.mod.policy.v.treshold");
    }
}
