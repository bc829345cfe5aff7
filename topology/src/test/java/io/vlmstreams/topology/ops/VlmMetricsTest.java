package io.vlmstreams.topology.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;

import io.vlmstreams.schemas.Answer;
import io.vlmstreams.schemas.DeadLetter;
import io.vlmstreams.schemas.DeadLetterReason;
import io.vlmstreams.schemas.FinishReason;
import io.vlmstreams.schemas.StageTimings;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VlmMetricsTest {

    @Test
    void countsRecordsAnswersAndDeadLettersPerPipeline() {
        try (VlmMetrics metrics = new VlmMetrics()) {
            metrics.received("camera");
            metrics.received("camera");
            metrics.received("moderation");
            metrics.answered(answer("camera", 12, new StageTimings(5L, 7L, 30L, 120L)));
            metrics.answered(answer("camera", 8, new StageTimings(6L, 7L, 30L, 120L)));
            metrics.deadLettered(deadLetter("moderation", DeadLetterReason.IMAGE_UNDECODABLE));
            metrics.deadLettered(deadLetter(null, DeadLetterReason.DESERIALIZATION));

            String text = metrics.scrape();
            assertThat(text)
                    .contains("vlm_records_in_total{pipeline=\"camera\"} 2.0")
                    .contains("vlm_records_in_total{pipeline=\"moderation\"} 1.0")
                    .contains("vlm_records_out_total{pipeline=\"camera\"} 2.0")
                    .contains("vlm_generated_tokens_total{pipeline=\"camera\"} 20.0")
                    .contains("vlm_dead_letters_total{pipeline=\"moderation\",reason=\"IMAGE_UNDECODABLE\"} 1.0")
                    .contains("vlm_dead_letters_total{pipeline=\"unknown\",reason=\"DESERIALIZATION\"} 1.0")
                    .contains("vlm_stage_latency_seconds_count{pipeline=\"camera\",stage=\"decode\"} 2")
                    .contains("vlm_stage_latency_seconds_sum{pipeline=\"camera\",stage=\"decode\"} 0.24")
                    .contains("vlm_stage_latency_seconds_sum{pipeline=\"camera\",stage=\"queued\"} 0.011");
        }
    }

    @Test
    void batchSizeAndImageTokensAreHistograms() {
        try (VlmMetrics metrics = new VlmMetrics()) {
            metrics.batchCompleted("camera", 3, 768, Duration.ofMillis(250));
            metrics.batchCompleted("camera", 8, 2048, Duration.ofMillis(900));

            assertThat(metrics.scrape())
                    .contains("vlm_batch_size_bucket{pipeline=\"camera\",le=\"4.0\"} 1")
                    .contains("vlm_batch_size_bucket{pipeline=\"camera\",le=\"8.0\"} 2")
                    .contains("vlm_batch_size_sum{pipeline=\"camera\"} 11.0")
                    .contains("vlm_batch_image_tokens_bucket{pipeline=\"camera\",le=\"1024.0\"} 1")
                    .contains("vlm_batch_image_tokens_bucket{pipeline=\"camera\",le=\"2048.0\"} 2")
                    .contains("vlm_batch_duration_seconds_count{pipeline=\"camera\"} 2");
        }
    }

    @Test
    void pendingGaugeSumsTasksAndForgetsClosedOnes() {
        try (VlmMetrics metrics = new VlmMetrics()) {
            metrics.pending("camera", "0_0", 3);
            metrics.pending("camera", "0_1", 4);
            metrics.pending("camera", "0_0", 1);
            assertThat(metrics.scrape()).contains("vlm_pending_requests{pipeline=\"camera\"} 5.0");

            metrics.pending("camera", "0_1", 0);
            assertThat(metrics.scrape()).contains("vlm_pending_requests{pipeline=\"camera\"} 1.0");
        }
    }

    @Test
    void providerGaugeMarksTheOneInUse() {
        try (VlmMetrics metrics = new VlmMetrics()) {
            metrics.executionProvider("CUDA:0");
            metrics.executionProvider("CPU");

            assertThat(metrics.scrape())
                    .contains("vlm_engine_provider{provider=\"CPU\"} 1.0")
                    .contains("vlm_engine_provider{provider=\"CUDA:0\"} 0.0");
        }
    }

    @Test
    void bindsKafkaStreamsClientMetrics(@TempDir Path stateDir) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "metrics-test");
        // Never started: the client registers its metrics on construction, no broker needed.
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("in", org.apache.kafka.streams.kstream.Consumed.with(Serdes.String(), Serdes.String())).to("out");
        try (VlmMetrics metrics = new VlmMetrics();
             KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
            metrics.bindStreams(streams);

            assertThat(metrics.scrape()).contains("kafka_stream_alive_stream_threads");

            metrics.unbindStreams();
            assertThat(metrics.scrape()).doesNotContain("kafka_stream_alive_stream_threads");
        }
    }

    static Answer answer(String pipeline, int generated, StageTimings timings) {
        return Answer.newBuilder().setEventId("e1").setPipeline(pipeline).setText("a cat")
                .setFinishReason(FinishReason.STOP).setPromptTokens(100).setImageTokens(64)
                .setGeneratedTokens(generated).setModelId("tiny").setTimings(timings)
                .setAttributes(Map.of()).build();
    }

    static DeadLetter deadLetter(String pipeline, DeadLetterReason reason) {
        return DeadLetter.newBuilder().setSourceTopic("in").setSourcePartition(0).setSourceOffset(1)
                .setPipeline(pipeline).setReason(reason).setMessage("bad").setFailedAt(Instant.now())
                .setOriginalValue(null).setOriginalValueSize(0).build();
    }

}
