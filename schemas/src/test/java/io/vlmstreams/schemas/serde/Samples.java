package io.vlmstreams.schemas.serde;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.vlmstreams.schemas.Answer;
import io.vlmstreams.schemas.DeadLetter;
import io.vlmstreams.schemas.DeadLetterReason;
import io.vlmstreams.schemas.FinishReason;
import io.vlmstreams.schemas.GenerationOverrides;
import io.vlmstreams.schemas.ImageEvent;
import io.vlmstreams.schemas.ImageReference;
import io.vlmstreams.schemas.InlineImage;
import io.vlmstreams.schemas.LabelScore;
import io.vlmstreams.schemas.StageTimings;

/** One fully populated value of each contract. */
final class Samples {

    private Samples() {
    }

    static ImageEvent inlineEvent() {
        return ImageEvent.newBuilder()
                .setEventId("evt-1")
                .setSourceId("camera-7")
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_123L))
                .setImage(InlineImage.newBuilder()
                        .setData(ByteBuffer.wrap(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0, 1, 2}))
                        .setMediaType("image/jpeg").build())
                .setPrompt("What is in the picture?")
                .setOverrides(GenerationOverrides.newBuilder().setMaxNewTokens(32).setTemperature(0.7f).setSeed(42L).build())
                .setAttributes(Map.of("tenant", "acme", "trace", "abc"))
                .build();
    }

    static ImageEvent referenceEvent() {
        return ImageEvent.newBuilder()
                .setEventId("evt-2")
                .setEventTime(Instant.ofEpochMilli(5))
                .setImage(ImageReference.newBuilder().setUri("https://images.example/cat.png").build())
                .build();
    }

    static Answer answer() {
        return Answer.newBuilder()
                .setEventId("evt-1")
                .setSourceId("camera-7")
                .setPipeline("classify-animals")
                .setText("cat")
                .setLabelScores(List.of(
                        LabelScore.newBuilder().setLabel("cat").setScore(-0.125).build(),
                        LabelScore.newBuilder().setLabel("dog").setScore(-2.5).build()))
                .setFinishReason(FinishReason.CLASSIFIED)
                .setPromptTokens(300)
                .setImageTokens(256)
                .setGeneratedTokens(1)
                .setModelId("lfm2-vl-450m")
                .setTimings(StageTimings.newBuilder().setQueuedMs(1).setPreprocessMs(2).setEncodeMs(30).setDecodeMs(40).build())
                .setAttributes(Map.of("tenant", "acme"))
                .build();
    }

    static DeadLetter deadLetter() {
        return DeadLetter.newBuilder()
                .setSourceTopic("images")
                .setSourcePartition(3)
                .setSourceOffset(123_456_789_012L)
                .setEventId("evt-9")
                .setPipeline("caption")
                .setReason(DeadLetterReason.IMAGE_UNDECODABLE)
                .setMessage("not an image")
                .setFailedAt(Instant.ofEpochMilli(1_700_000_001_000L))
                .setOriginalValue(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .setOriginalValueSize(3)
                .build();
    }
}
