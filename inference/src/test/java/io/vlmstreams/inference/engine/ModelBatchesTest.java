package io.vlmstreams.inference.engine;

import io.vlmstreams.inference.image.ProcessedImage;
import io.vlmstreams.inference.image.TileLayout;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

class ModelBatchesTest {

    /** Memory grows with the prompt: one byte per prompt token, nothing for the image. */
    private static final Function<PreparedRequest, BatchPolicy.Cost> BY_LENGTH =
            p -> new BatchPolicy.Cost(p.imageTokens(), p.promptIds().length, 0);

    /** A prepared request with a prompt of {@code promptLength} tokens and a small single-tile image. */
    private static PreparedRequest request(int promptLength) {
        int side = 64;
        int patches = (side / 16) * (side / 16);
        TileLayout layout = new TileLayout(1, 1, false, false, side, side, 512, 16, 2);
        ProcessedImage image = new ProcessedImage(1, patches, new float[patches * 768], new long[patches],
                new long[] {side / 16, side / 16}, layout);
        InferenceRequest r = InferenceRequest.generate("r" + promptLength, new byte[0], "p", GenerationSettings.greedy(4));
        return new PreparedRequest(r, image, "", new long[promptLength], List.of(), 0);
    }

    @Test
    void similarLengthsShareABatchShortestFirst() {
        List<PreparedRequest> requests = List.of(request(280), request(250), request(266), request(300));
        ModelBatches cut = ModelBatches.cut(requests, BatchPolicy.model(8, 0), BY_LENGTH);
        assertThat(cut.batches()).containsExactly(List.of(1, 2, 0, 3));
        assertThat(cut.refused()).isEmpty();
    }

    @Test
    void aLongPromptSharesTheBatchItDecodesWith() {
        List<PreparedRequest> requests = List.of(request(1305), request(285), request(164), request(266));
        // padding is bounded per prefill group inside the batch, not by cutting the decode batch
        assertThat(ModelBatches.cut(requests, BatchPolicy.model(8, 0), BY_LENGTH).batches())
                .containsExactly(List.of(2, 3, 1, 0));
    }

    @Test
    void theCountCuts() {
        List<PreparedRequest> requests = List.of(request(100), request(101), request(102));
        assertThat(ModelBatches.cut(requests, BatchPolicy.model(2, 0), BY_LENGTH).batches())
                .containsExactly(List.of(0, 1), List.of(2));
    }

    @Test
    void theMemoryBudgetCutsAndARequestOverItAloneIsRefused() {
        List<PreparedRequest> requests = List.of(request(100), request(500), request(90), request(101), request(95));
        // shortest first: 90, 95, 100, 101, 500; members cost the batch's longest prompt each
        ModelBatches cut = ModelBatches.cut(requests, new BatchPolicy(8, BatchPolicy.UNBOUNDED, 300), BY_LENGTH);
        assertThat(cut.batches()).containsExactly(List.of(2, 4, 0), List.of(3));
        assertThat(cut.refused()).containsExactly(1);
    }
}
