package io.vlmstreams.inference.engine;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How many tiles one vision-encoder call may hold under the attention-score cap. */
class ImageEncoderCapTest {

    private static final long MB = 1L << 20;

    @Test
    void capFollowsTheAttentionScoresOfTheCallsPadding() {
        ImageEncoder encoder = new ImageEncoder(null, 64, 4, 128 * MB);
        // 4 heads x 1024^2 floats = 16 MB per tile
        assertThat(encoder.tilesPerCall(1024)).isEqualTo(8);
        assertThat(encoder.tilesPerCall(512)).isEqualTo(32);
        // 1 MB per tile: the tile cap binds first
        assertThat(encoder.tilesPerCall(256)).isEqualTo(64);
    }

    @Test
    void aTileAboveTheCapStillRunsAlone() {
        assertThat(new ImageEncoder(null, 64, 16, 32 * MB).tilesPerCall(1024)).isEqualTo(1);
    }

    @Test
    void withoutAnAttentionCapOnlyTheTileCapApplies() {
        assertThat(new ImageEncoder(null, 64).tilesPerCall(1024)).isEqualTo(64);
        assertThatThrownBy(() -> new ImageEncoder(null, 64, 0, MB)).isInstanceOf(IllegalArgumentException.class);
    }
}
