package io.vlmstreams.inference.onnx;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class Fp16Test {

    @Test
    void roundTripsExactHalfValuesAndRoundsToNearestEven() {
        for (float v : new float[]{0f, 1f, -2.5f, 65504f, 6.1035156e-5f, 5.9604645e-8f}) {
            assertThat(Fp16.fromFloat16(Fp16.toFloat16(v))).isEqualTo(v);
        }
        // 1 + 2^-11 lies halfway between 1 and the next half (1 + 2^-10): ties go to even (1)
        assertThat(Fp16.fromFloat16(Fp16.toFloat16(1f + 0x1p-11f))).isEqualTo(1f);
        assertThat(Fp16.fromFloat16(Fp16.toFloat16(1e6f))).isInfinite();
        assertThat(Fp16.fromFloat16(Fp16.toFloat16(Float.NaN))).isNaN();
    }

    @Test
    void roundsToNearestEvenBitForBit() {
        assertThat(Fp16.toFloat16(1.0f)).isEqualTo((short) 0x3c00);
        assertThat(Fp16.toFloat16(65504f)).isEqualTo((short) 0x7bff);
        assertThat(Fp16.toFloat16(1e6f)).isEqualTo((short) 0x7c00);
        assertThat(Fp16.toFloat16(-2f)).isEqualTo((short) 0xc000);
        assertThat(Fp16.toFloat16(0x1p-24f)).isEqualTo((short) 0x0001);
        assertThat(Fp16.toFloat16(1 + 0x1p-11f)).isEqualTo((short) 0x3c00);  // tie -> even
        assertThat(Fp16.toFloat16(1 + 3 * 0x1p-11f)).isEqualTo((short) 0x3c02); // tie -> even (up)
        for (int bits = 0; bits < 0x7c00; bits += 7) {
            float f = Fp16.fromFloat16((short) bits);
            assertThat(Fp16.toFloat16(f)).isEqualTo((short) bits);
        }
        assertThat(Fp16.toBfloat16(1.0f)).isEqualTo((short) 0x3f80);
        assertThat(Fp16.toBfloat16(Float.intBitsToFloat(0x3f808000))).isEqualTo((short) 0x3f80);
        assertThat(Fp16.toBfloat16(Float.intBitsToFloat(0x3f818000))).isEqualTo((short) 0x3f82);
    }

    @Test
    void keepsANaNsPayloadANaN() {
        short quiet = Fp16.toFloat16(Float.intBitsToFloat(0x7fc00001));
        assertThat(quiet & 0x7c00).isEqualTo(0x7c00);
        assertThat(quiet & 0x3ff).isNotZero();
        assertThat(Fp16.toBfloat16(Float.NaN) & 0x7f).isNotZero();
    }
}
