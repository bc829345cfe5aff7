package io.vlmstreams.inference.generate;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LeftPaddedBatchTest {

    @Test
    void padsOnTheLeftWithCumulativePositions() {
        LeftPaddedBatch b = LeftPaddedBatch.of(List.of(new long[]{7, 8, 9}, new long[]{5}), 0);
        assertThat(b.width()).isEqualTo(3);
        assertThat(b.ids()).containsExactly(7, 8, 9, 0, 0, 5);
        assertThat(b.mask()).containsExactly(1, 1, 1, 0, 0, 1);
        assertThat(b.positions()).containsExactly(0, 1, 2, 0, 0, 0);
        assertThat(b.padding(1)).isEqualTo(2);
    }
}
