package io.vlmstreams.topology.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code metrics.latency.slo.ms}: its default, an override by environment, and a wrong list named by key. */
class LatencySloSettingTest {

    private static final Path DEPLOY = Path.of(System.getProperty("vlm.project.dir", ".."), "deploy", "application.properties");

    @Test
    void defaultsToNineBoundsAndTakesAnOverride() {
        assertThat(AppConfig.load(DEPLOY, Map.of()).latencySlos()).extracting(Duration::toMillis)
                .containsExactly(50L, 100L, 250L, 500L, 1000L, 2500L, 5000L, 10_000L, 30_000L);
        assertThat(AppConfig.load(DEPLOY, Map.of("VLM_METRICS_LATENCY_SLO_MS", "200, 2000")).latencySlos())
                .containsExactly(Duration.ofMillis(200), Duration.ofSeconds(2));
    }

    @Test
    void boundsMustBeIncreasingPositiveMilliseconds() {
        assertThatThrownBy(() -> AppConfig.load(DEPLOY, Map.of("VLM_METRICS_LATENCY_SLO_MS", "500,100")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("metrics.latency.slo.ms")
                .hasMessageContaining("bounds must be positive and increasing");
        assertThatThrownBy(() -> AppConfig.load(DEPLOY, Map.of("VLM_METRICS_LATENCY_SLO_MS", "1s")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("whole number of milliseconds");
    }
}
