package io.vlmstreams.topology.processor;

import io.vlmstreams.schemas.ImageEvent;
import io.vlmstreams.schemas.InlineImage;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A frame is refused at batch start when it would be readable older than the limit: service time plus commit and linger. */
class FreshnessGateTest {

    private static RecordIntake.Intake frameAt(long eventTimeMs) {
        ImageEvent e = ImageEvent.newBuilder().setEventId("f").setSourceId("cam").setEventTime(Instant.ofEpochMilli(eventTimeMs))
                .setImage(new InlineImage(ByteBuffer.wrap(new byte[]{1}), null)).build();
        return new RecordIntake.Intake.Inline(e, null);
    }

    @Test
    void theDeliveryMarginComesFromTheStreamsConfigurationOrItsExactlyOnceDefaults() {
        assertThat(FreshnessGate.deliveryMs(Map.of())).isEqualTo(200);
        assertThat(FreshnessGate.deliveryMs(Map.of("commit.interval.ms", "50", "producer.linger.ms", 5))).isEqualTo(55);
        assertThat(FreshnessGate.deliveryMs(Map.of("commit.interval.ms", 1000, "linger.ms", "0"))).isEqualTo(1000);
    }

    @Test
    void atBatchStartTheLongestRecentBatchAndTheDeliveryMarginCount() {
        FreshnessGate gate = new FreshnessGate(Duration.ofMillis(1000), 200);
        long now = 10_000;
        RecordIntake.Intake aged500 = frameAt(now - 500);
        assertThat(gate.staleOnArrival(aged500, now)).isNull();
        assertThat(gate.staleAtBatchStart(aged500, now)).isNull(); // 500 + 0 + 200 <= 1000
        gate.batchTook(Duration.ofMillis(400));
        gate.batchTook(Duration.ofMillis(100));
        // 500 + 400 (the longest of the recent batches) + 200 > 1000
        assertThat(gate.staleAtBatchStart(aged500, now)).contains("500 ms old").contains("+600 ms to answer and commit");
        assertThat(gate.staleAtBatchStart(frameAt(now - 400), now)).isNull();
        assertThat(new FreshnessGate(null, 200).staleAtBatchStart(frameAt(0), now)).isNull();
    }
}
