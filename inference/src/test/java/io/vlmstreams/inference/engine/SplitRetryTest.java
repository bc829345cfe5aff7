package io.vlmstreams.inference.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SplitRetryTest {

    /** A batch "model" that fails whenever the batch holds a negative number, else doubles each item. */
    private static List<String> model(List<Integer> batch, List<Integer> sizesRun) {
        sizesRun.add(batch.size());
        if (batch.stream().anyMatch(i -> i < 0)) {
            throw new IllegalStateException("bad input in batch");
        }
        return batch.stream().map(i -> "ok " + 2 * i).toList();
    }

    @Test
    void isolatesTheFailingItemsAndAnswersTheOthersInOrder() {
        List<Integer> sizes = new ArrayList<>();
        List<Integer> splits = new ArrayList<>();
        SplitRetry<Integer, String> retry = new SplitRetry<>(b -> model(b, sizes),
                (item, e) -> "failed " + item + ": " + e.getMessage(), (size, cause) -> splits.add(size));
        List<String> out = retry.apply(List.of(1, 2, -3, 4, 5, 6, -7, 8));
        assertThat(out).containsExactly("ok 2", "ok 4", "failed -3: bad input in batch", "ok 8", "ok 10", "ok 12",
                "failed -7: bad input in batch", "ok 16");
        assertThat(splits).startsWith(8);
        assertThat(sizes.get(0)).isEqualTo(8);
    }

    @Test
    void runsAHealthyBatchOnce() {
        List<Integer> sizes = new ArrayList<>();
        SplitRetry<Integer, String> retry = new SplitRetry<>(b -> model(b, sizes), (item, e) -> "failed", (size, cause) -> { });
        assertThat(retry.apply(List.of(1, 2, 3))).containsExactly("ok 2", "ok 4", "ok 6");
        assertThat(sizes).containsExactly(3);
    }
}
