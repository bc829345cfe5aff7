package io.vlmstreams.inference.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class PrefillGroupsTest {

    @Test
    void similarLengthsPrefillTogetherShortestFirst() {
        assertThat(PrefillGroups.plan(new int[] {280, 250, 266, 300}, 1.3)).containsExactly(List.of(1, 2, 0, 3));
    }

    @Test
    void aLongPromptIsNotPaddedBesideShortOnes() {
        // 4 x 1305 padded tokens for 2020 real ones would be 2.6x the work: the long prompt goes alone
        assertThat(PrefillGroups.plan(new int[] {1305, 285, 164, 266}, 1.3)).containsExactly(List.of(2, 3, 1), List.of(0));
    }

    @Test
    void theBoundIsOnTheWholeGroupNotOnNeighbours() {
        // each step is < 1.3x its predecessor, but 100 padded to 250 beside 160 and 200 is not allowed
        List<List<Integer>> groups = PrefillGroups.plan(new int[] {100, 160, 200, 250}, 1.3);
        for (List<Integer> g : groups) {
            int[] lengths = {100, 160, 200, 250};
            long real = g.stream().mapToLong(i -> lengths[i]).sum();
            long padded = (long) g.size() * g.stream().mapToInt(i -> lengths[i]).max().orElseThrow();
            assertThat((double) padded).isLessThanOrEqualTo(1.3 * real);
        }
        assertThat(groups.stream().flatMap(List::stream).sorted().toList()).containsExactly(0, 1, 2, 3);
    }

    @Test
    void infinityIsOnePaddedPass() {
        assertThat(PrefillGroups.plan(new int[] {1305, 164}, Double.POSITIVE_INFINITY)).containsExactly(List.of(1, 0));
    }

    @Test
    void ratiosBelowOneAreRefused() {
        assertThatThrownBy(() -> PrefillGroups.plan(new int[] {1}, 0.5)).isInstanceOf(IllegalArgumentException.class);
    }
}
