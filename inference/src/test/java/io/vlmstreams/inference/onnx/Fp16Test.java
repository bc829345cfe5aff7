package io.vlmstreams.inference.onnx;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class Fp16Test {

    @Test
    void roundTripsExactHalfValuesAndRoundsToNearestEven() {
        for (float v : new float[]{0f, 1f, -2.5f, 65504f, 6.1035156e-5f, 5.9604645e-8f}) {
            assertThat(Fp16.toFloat(Fp16.fromFloat(v))).isEqualTo(v);
        }
        // 1 + 2^-11 lies halfway between 1 and the next half (1 + 2^-10): ties go to even (1)
        assertThat(Fp16.toFloat(Fp16.fromFloat(1f + 0x1p-11f))).isEqualTo(1f);
        assertThat(Fp16.toFloat(Fp16.fromFloat(1e6f))).isInfinite();
        assertThat(Fp16.toFloat(Fp16.fromFloat(Float.NaN))).isNaN();
    }
}
