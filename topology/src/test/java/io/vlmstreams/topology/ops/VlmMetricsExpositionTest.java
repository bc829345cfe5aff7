package io.vlmstreams.topology.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.vlmstreams.schemas.StageTimings;
import org.junit.jupiter.api.Test;

/** What a Prometheus scrape shows beyond the application's counters: the decode gauge, JVM meters, SLO buckets. */
class VlmMetricsExpositionTest {

    private static final Pattern DECODING = Pattern.compile("^vlm_engine_decoding_sequences (\\S+)$", Pattern.MULTILINE);

    @Test
    void theDecodeGaugeReadsANumberAfterGarbageCollection() {
        try (VlmMetrics metrics = new VlmMetrics()) {
            AtomicInteger decoding = new AtomicInteger(3);
            // a method reference nothing else holds, as StreamsApp passes local::decodingSequences
            metrics.decodingSequences(decoding::get);
            for (int i = 0; i < 5; i++) {
                System.gc();
            }
            assertThat(gauge(metrics)).isEqualTo(3.0);

            decoding.set(7);
            assertThat(gauge(metrics)).isEqualTo(7.0);

            // a new engine replaces the source; the gauge stays one series
            metrics.decodingSequences(() -> 0);
            System.gc();
            assertThat(gauge(metrics)).isEqualTo(0.0);
            assertThat(DECODING.matcher(metrics.scrape()).results().count()).isEqualTo(1);
        }
    }

    @Test
    void jvmAndProcessMetricsAreBound() {
        try (VlmMetrics metrics = new VlmMetrics()) {
            assertThat(metrics.scrape())
                    .contains("jvm_memory_used_bytes{area=\"heap\"")
                    .contains("jvm_threads_live_threads")
                    .contains("jvm_classes_loaded_classes")
                    .contains("process_cpu_usage")
                    .contains("system_cpu_count")
                    .contains("process_uptime_seconds")
                    .contains("process_files_open_files")
                    .containsPattern("(?m)^jvm_gc_\\w+");
        }
    }

    @Test
    void latencyHistogramsHaveTheConfiguredSloBucketsOnly() {
        try (VlmMetrics metrics = new VlmMetrics(List.of(Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(10)))) {
            metrics.answered("camera", 5, StageTimes.of(new StageTimings(40L, 7L, 300L, 4000L)));
            metrics.batchCompleted("camera", 1, 256, Duration.ofMillis(4400));

            String text = metrics.scrape();
            assertThat(text)
                    .contains("vlm_stage_latency_seconds_bucket{pipeline=\"camera\",stage=\"decode\",le=\"1.0\"} 0")
                    .contains("vlm_stage_latency_seconds_bucket{pipeline=\"camera\",stage=\"decode\",le=\"10.0\"} 1")
                    .contains("vlm_stage_latency_seconds_bucket{pipeline=\"camera\",stage=\"queued\",le=\"0.1\"} 1")
                    .contains("vlm_batch_duration_seconds_bucket{pipeline=\"camera\",le=\"10.0\"} 1");
            // three bounds and +Inf per series: four stages and the batch duration
            assertThat(Pattern.compile("(?m)^vlm_stage_latency_seconds_bucket\\{").matcher(text).results().count()).isEqualTo(4 * 4);
            assertThat(Pattern.compile("(?m)^vlm_batch_duration_seconds_bucket\\{").matcher(text).results().count()).isEqualTo(4);
        }
    }

    @Test
    void defaultBucketsAreTheNineSloBounds() {
        try (VlmMetrics metrics = new VlmMetrics()) {
            metrics.batchCompleted("camera", 1, 256, Duration.ofMillis(300));
            String text = metrics.scrape();
            assertThat(Pattern.compile("(?m)^vlm_batch_duration_seconds_bucket\\{").matcher(text).results().count()).isEqualTo(10);
            assertThat(text).contains("vlm_batch_duration_seconds_bucket{pipeline=\"camera\",le=\"0.25\"} 0",
                    "vlm_batch_duration_seconds_bucket{pipeline=\"camera\",le=\"0.5\"} 1",
                    "vlm_batch_duration_seconds_bucket{pipeline=\"camera\",le=\"30.0\"} 1");
        }
    }

    @Test
    void onePipelinesApplicationMetricsStayShort() {
        try (VlmMetrics metrics = new VlmMetrics()) {
            metrics.received("camera");
            metrics.answered("camera", 5, StageTimes.of(new StageTimings(40L, 7L, 300L, 4000L)));
            metrics.batchCompleted("camera", 1, 256, Duration.ofMillis(4400));
            metrics.pending("camera", "0_0", 0);
            metrics.executionProvider("CPU");
            metrics.decodingSequences(() -> 0);

            String text = metrics.scrape();
            long vlm = text.lines().filter(l -> l.startsWith("vlm_")).count();
            long all = text.lines().filter(l -> !l.startsWith("#")).count();
            // issue 14 counted 1,364 lines for one pipeline with a percentile histogram per timer
            System.out.printf("scrape of one pipeline: %d vlm_* sample lines, %d sample lines in all (JVM and process included)%n", vlm, all);
            assertThat(vlm).isLessThan(150);
        }
    }

    private static double gauge(VlmMetrics metrics) {
        Matcher m = DECODING.matcher(metrics.scrape());
        assertThat(m.find()).as("vlm_engine_decoding_sequences in the scrape").isTrue();
        return Double.parseDouble(m.group(1));
    }
}
