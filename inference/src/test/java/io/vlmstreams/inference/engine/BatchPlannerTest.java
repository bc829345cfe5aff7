package io.vlmstreams.inference.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.vlmstreams.inference.image.ProcessedImage;
import io.vlmstreams.inference.image.TileLayout;

import java.util.List;

import org.junit.jupiter.api.Test;

class BatchPlannerTest {

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
        BatchPlanner planner = new BatchPlanner(8, 10_000);
        List<PreparedRequest> requests = List.of(request(280), request(250), request(266), request(300));
        assertThat(planner.plan(requests)).containsExactly(List.of(1, 2, 0, 3));
    }

    @Test
    void aLongPromptSharesTheBatchItDecodesWith() {
        BatchPlanner planner = new BatchPlanner(8, 10_000);
        List<PreparedRequest> requests = List.of(request(1305), request(285), request(164), request(266));
        // padding is bounded per prefill group inside the batch, not by cutting the decode batch
        assertThat(planner.plan(requests)).containsExactly(List.of(2, 3, 1, 0));
    }

    @Test
    void sizeAndTokenBudgetCut() {
        List<PreparedRequest> requests = List.of(request(100), request(101), request(102));
        assertThat(new BatchPlanner(2, 10_000).plan(requests)).containsExactly(List.of(0, 1), List.of(2));
        int perImage = requests.get(0).imageTokens();
        assertThat(new BatchPlanner(8, perImage).plan(requests)).containsExactly(List.of(0), List.of(1), List.of(2));
    }
}
