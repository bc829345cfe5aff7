package io.vlmstreams.convert.synth;

import java.util.Locale;

/** The synthetic model sizes: a few-megabyte toy and one with LFM2-VL-450M's real dimensions. */
public enum Size {
    /** The dimensions of fixtures/upstream/tiny-lfm2vl (vocabulary 400, hidden 64). */
    TINY("tiny"),
    /** LFM2-VL-450M: SigLIP2 NaFlex base (86M) + projector + LFM2-350M, vocabulary 65,536. */
    LFM2_VL_450M("450m");

    private final String label;

    Size(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** {@code tiny} or {@code 450m}, case-insensitive. */
    public static Size parse(String text) {
        for (Size s : values()) {
            if (s.label.equalsIgnoreCase(text.toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown size '" + text + "' (expected tiny or 450m)");
    }
}
