package io.vlmstreams.inference.engine;

import io.vlmstreams.inference.engine.BatchPolicy.Cost;
import io.vlmstreams.inference.engine.BatchPolicy.Load;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BatchPolicyTest {

    private static List<Cost> tokens(long... each) {
        return java.util.Arrays.stream(each).mapToObj(Cost::ofImageTokens).toList();
    }

    @Test
    void countCutsAtMaxSize() {
        BatchPolicy policy = BatchPolicy.pipeline(3, BatchPolicy.UNBOUNDED);
        assertThat(policy.joinable(Load.EMPTY, tokens(1, 1, 1, 1, 1))).isEqualTo(3);
        assertThat(policy.joinable(Load.of(tokens(1, 1)), tokens(1, 1))).isEqualTo(1);
        assertThat(policy.joinable(Load.of(tokens(1, 1, 1)), tokens(1))).isZero();
    }

    @Test
    void imageTokensCutBeforeTheBudgetWouldOverflowAndAFullBudgetIsAFullBatch() {
        BatchPolicy policy = BatchPolicy.pipeline(8, 100);
        assertThat(policy.joinable(Load.EMPTY, tokens(60, 30, 40))).isEqualTo(2);
        assertThat(policy.joinable(Load.EMPTY, tokens(40, 60, 1))).isEqualTo(2);
        assertThat(policy.full(Load.of(tokens(60, 30)))).isFalse();
        assertThat(policy.full(Load.of(tokens(40, 60)))).isTrue();
        assertThat(policy.full(Load.of(tokens(1, 1, 1, 1, 1, 1, 1, 1)))).isTrue();
    }

    @Test
    void aLoneRequestOverTheCountOrTokenLimitStillRunsAlone() {
        BatchPolicy policy = BatchPolicy.pipeline(1, 100);
        assertThat(policy.joinable(Load.EMPTY, tokens(500, 10))).isEqualTo(1);
        assertThat(policy.joinable(Load.of(tokens(10)), tokens(500))).isZero();
    }

    @Test
    void memoryIsTheBatchSizeTimesItsLargestMember() {
        // decoder part of the longest sequence plus the vision part of the largest image, per member
        Load load = Load.of(List.of(new Cost(10, 100, 5), new Cost(10, 40, 50), new Cost(10, 70, 20)));
        assertThat(load.memoryBytes()).isEqualTo(3 * (100 + 50));
        BatchPolicy policy = new BatchPolicy(8, BatchPolicy.UNBOUNDED, 2 * 150);
        assertThat(policy.joinable(Load.EMPTY, List.of(new Cost(10, 100, 5), new Cost(10, 40, 50), new Cost(10, 70, 20))))
                .isEqualTo(2);
        assertThat(policy.joinable(Load.of(List.of(new Cost(0, 100, 50))), List.of(new Cost(0, 100, 50)))).isEqualTo(1);
        assertThat(policy.joinable(Load.of(List.of(new Cost(0, 100, 50))), List.of(new Cost(0, 101, 50)))).isZero();
    }

    @Test
    void aLoneRequestOverTheMemoryBudgetDoesNotJoinAndIsNotAdmitted() {
        BatchPolicy policy = new BatchPolicy(8, BatchPolicy.UNBOUNDED, 1000);
        Cost huge = new Cost(1, 900, 200);
        assertThat(policy.fitsAlone(huge)).isFalse();
        assertThat(policy.fitsAlone(new Cost(1, 900, 100))).isTrue();
        assertThat(policy.joinable(Load.EMPTY, List.of(huge, new Cost(1, 1, 1)))).isZero();
        assertThat(policy.admits(Load.EMPTY, List.of(new Cost(1, 1, 1), new Cost(1, 1, 1)))).isTrue();
        assertThat(policy.admits(Load.of(List.of(new Cost(1, 400, 0))), List.of(new Cost(1, 400, 0), new Cost(1, 1, 1))))
                .as("three members of 400 bytes exceed 1000").isFalse();
    }

    @Test
    void aModelPolicyBoundsCountAndMemoryButNotImageTokens() {
        BatchPolicy policy = BatchPolicy.model(2, 1);
        assertThat(policy.maxMemoryBytes()).isEqualTo(1L << 20);
        assertThat(policy.joinable(Load.EMPTY, tokens(1_000_000, 1_000_000, 1))).isEqualTo(2);
        assertThat(BatchPolicy.model(2, 0).maxMemoryBytes()).as("0 MB: no budget").isEqualTo(BatchPolicy.UNBOUNDED);
        assertThat(BatchPolicy.model(2, 0).joinable(Load.EMPTY, List.of(new Cost(1, Long.MAX_VALUE / 2, Long.MAX_VALUE / 2))))
                .isEqualTo(1);
    }

    @Test
    void limitsMustBePositive() {
        assertThatThrownBy(() -> BatchPolicy.pipeline(0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BatchPolicy.pipeline(1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BatchPolicy.model(1, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
