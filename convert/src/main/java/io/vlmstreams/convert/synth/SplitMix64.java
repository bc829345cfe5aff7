package io.vlmstreams.convert.synth;

import java.nio.charset.StandardCharsets;

/**
 * A seeded SplitMix64 generator with normal deviates (Box-Muller), written out here so that the
 * bytes of a synthetic checkpoint depend only on this code and the seed, never on the JDK.
 */
final class SplitMix64 {

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private long state;
    private double spare;
    private boolean hasSpare;

    SplitMix64(long seed) {
        this.state = seed;
    }

    /** An independent stream for one named tensor: same seed and name, same values. */
    static SplitMix64 forStream(long seed, String name) {
        long h = 0xcbf29ce484222325L; // FNV-1a over the UTF-8 name
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return new SplitMix64(mix(seed ^ mix(h)));
    }

    long nextLong() {
        state += GOLDEN;
        return mix(state);
    }

    /** Uniform in (0, 1]: never 0, so its logarithm is finite. */
    double nextOpenDouble() {
        return ((nextLong() >>> 11) + 1) * 0x1.0p-53;
    }

    double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spare;
        }
        double r = StrictMath.sqrt(-2.0 * StrictMath.log(nextOpenDouble()));
        double theta = 2.0 * Math.PI * nextOpenDouble();
        spare = r * StrictMath.sin(theta);
        hasSpare = true;
        return r * StrictMath.cos(theta);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
