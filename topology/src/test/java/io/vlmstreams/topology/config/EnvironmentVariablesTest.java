package io.vlmstreams.topology.config;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code VLM_*} variables map onto keys exactly, pipeline names as declared; an unknown one stops the start. */
class EnvironmentVariablesTest {

    private static final List<String> PIPELINES = List.of("my_cam", "Main", "Top-View", "camera");

    private static Map<String, String> base() {
        Map<String, String> base = new LinkedHashMap<>(Map.of("bootstrap.servers", "b:9092",
                "schema.registry.url", "mock://env", "model.dir", "/m", "pipelines", String.join(",", PIPELINES)));
        for (String p : PIPELINES) {
            base.put("pipeline." + p + ".input.topics", p + ".in");
            base.put("pipeline." + p + ".output.topic", p + ".out");
            base.put("pipeline." + p + ".prompt", "Describe.");
        }
        return base;
    }

    @Test
    void everyPipelineKeyRoundTripsThroughItsVariableWithNameCaseAndUnderscoresKept() {
        for (String p : PIPELINES) {
            for (String suffix : Settings.PIPELINE.names()) {
                String variable = EnvironmentVariables.pipelineName(p, suffix);
                ConfigSource src = ConfigSource.withEnvironment(base(), Map.of(variable, " v-" + suffix + " "));
                assertThat(src.asMap()).as(variable).containsEntry("pipeline." + p + "." + suffix, "v-" + suffix);
            }
        }
        assertThat(EnvironmentVariables.pipelineName("my_cam", "batch.reference.image.tokens"))
                .isEqualTo("VLM_PIPELINE_my_cam_BATCH_REFERENCE_IMAGE_TOKENS");
    }

    @Test
    void pipelineVariablesTypeIntoThatPipelinesSettings() {
        AppConfig config = AppConfig.from(ConfigSource.withEnvironment(base(), Map.of(
                "VLM_PIPELINE_my_cam_PROMPT", "What is on the shelf?",
                "VLM_PIPELINE_Main_MAX_NEW_TOKENS", "12",
                "VLM_PIPELINE_Top-View_BATCH_REFERENCE_IMAGE_TOKENS", "512",
                "VLM_BATCH_REFERENCE_IMAGE_TOKENS", "300")));
        Map<String, PipelineConfig> byName = new HashMap<>();
        config.pipelines().forEach(p -> byName.put(p.name(), p));
        assertThat(byName.get("my_cam").prompt()).isEqualTo("What is on the shelf?");
        assertThat(byName.get("Main").generation().maxNewTokens()).isEqualTo(12);
        assertThat(byName.get("Top-View").batch().referenceImageTokens()).isEqualTo(512);
        // the others inherit the application-level value the environment gave
        assertThat(byName.get("camera").batch().referenceImageTokens()).isEqualTo(300);
        assertThat(byName.get("camera").generation().maxNewTokens()).isEqualTo(64);
    }

    @Test
    void everyFixedKeyRoundTripsThroughItsVariable() {
        for (String key : Settings.APP.names()) {
            Map<String, String> env = Map.of(EnvironmentVariables.name(key), "x");
            assertThat(ConfigSource.withEnvironment(Map.of(), env).asMap()).as(key).containsExactly(Map.entry(key, "x"));
        }
        for (String key : List.of("security.protocol", "sasl.jaas.config", "consumer.max.poll.records",
                "main.consumer.fetch.min.bytes", "topic.max.message.bytes", "basic.auth.user.info", "auto.register.schemas")) {
            assertThat(ConfigSource.withEnvironment(Map.of(), Map.of(EnvironmentVariables.name(key), "x")).asMap())
                    .as(key).containsExactly(Map.entry(key, "x"));
        }
    }

    @Test
    void aPipelineVariableInAnotherCaseStopsTheStartNamingTheExactOne() {
        Map<String, String> base = base();
        assertThatThrownBy(() -> ConfigSource.withEnvironment(base, Map.of("VLM_PIPELINE_MY_CAM_PROMPT", "x")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("VLM_PIPELINE_MY_CAM_PROMPT")
                .hasMessageContaining("did you mean VLM_PIPELINE_my_cam_PROMPT, which sets pipeline.my_cam.prompt?")
                .hasMessageContaining("exactly as declared in pipelines (my_cam, Main, Top-View, camera)");
        assertThatThrownBy(() -> ConfigSource.withEnvironment(base, Map.of("VLM_PIPELINE_main_PROMPT", "x")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("did you mean VLM_PIPELINE_Main_PROMPT");
    }

    @Test
    void anUnknownVariableStopsTheStartWithTheNearestKnownOne() {
        assertThatThrownBy(() -> ConfigSource.withEnvironment(base(), Map.of("VLM_ENGINE_PROVDER", "cuda")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Unknown environment variable VLM_ENGINE_PROVDER (did you mean VLM_ENGINE_PROVIDER, "
                        + "which sets engine.provider?)");
        assertThatThrownBy(() -> ConfigSource.withEnvironment(base(), Map.of("VLM_ENGINE_PROVDER", "cuda",
                "VLM_BATCH_LINGER", "5")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("Unknown environment variables: ")
                .hasMessageContaining("VLM_BATCH_LINGER (did you mean VLM_BATCH_LINGER_MS")
                .hasMessageContaining("VLM_ENGINE_PROVDER (did you mean VLM_ENGINE_PROVIDER");
    }

    @Test
    void launcherVariablesAndOtherEnvironmentAreNotSettings() {
        Map<String, String> env = Map.of("VLM_JAVA_OPTS", "-Xmx4g", "VLM_LOG_LEVEL", "DEBUG", "VLM_MVN_ARGS", "-Pcpu",
                "PATH", "/usr/bin", "HOME", "/root");
        assertThat(ConfigSource.withEnvironment(base(), env).asMap()).isEqualTo(ConfigSource.of(base()).asMap());
    }

    @Test
    void pipelinesDeclaredByTheEnvironmentOrAnOverrideGetTheirVariables() {
        Map<String, String> env = Map.of("VLM_PIPELINES", "night_Shift", "VLM_PIPELINE_night_Shift_PROMPT", "Who is there?");
        assertThat(ConfigSource.withEnvironment(Map.of("pipelines", "day"), env).asMap())
                .containsEntry("pipelines", "night_Shift").containsEntry("pipeline.night_Shift.prompt", "Who is there?");
        assertThat(ConfigSource.layered(Map.of("pipelines", "day"), Map.of("VLM_PIPELINE_late_PROMPT", "Late?"),
                Map.of("pipelines", "late")).asMap()).containsEntry("pipeline.late.prompt", "Late?");
    }

    @Test
    void aVariableTwoPipelinesShareIsRefusedAsAmbiguous() {
        // pipeline "cam" + suffix batch.max.image.tokens, and pipeline "cam_BATCH" + suffix max.image.tokens
        Map<String, String> base = Map.of("pipelines", "cam,cam_BATCH");
        assertThatThrownBy(() -> ConfigSource.withEnvironment(base, Map.of("VLM_PIPELINE_cam_BATCH_MAX_IMAGE_TOKENS", "9")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("VLM_PIPELINE_cam_BATCH_MAX_IMAGE_TOKENS is ambiguous")
                .hasMessageContaining("pipeline.cam.batch.max.image.tokens")
                .hasMessageContaining("pipeline.cam_BATCH.max.image.tokens");
    }
}
