package io.vlmstreams.convert;

import java.util.Locale;

/**
 * Where the {@link Layout#LIQUID} decoder applies RoPE; both are what Liquid AI's builder can write.
 * <ul>
 *   <li>{@link #GQA}: inside {@code com.microsoft.GroupQueryAttention} ({@code do_rotary=1}), which takes each row's
 *   positions from {@code seqlens_k}, i.e. from the attention mask.</li>
 *   <li>{@link #EMBEDDING}: {@code com.microsoft.RotaryEmbedding} on q and k before attention, fed positions computed
 *   inside the graph as past length + 0..seq-1. The past length is the batch's, not the row's, so a shorter row of a
 *   padded batch is rotated at the wrong positions: this variant is batch-variant by construction, which is what a
 *   load-time self-check has to catch.</li>
 * </ul>
 */
public enum Rotary {
    GQA("gqa"),
    EMBEDDING("embedding");

    private final String label;

    Rotary(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** {@code gqa} or {@code embedding}, case-insensitive. */
    public static Rotary parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (Rotary r : values()) {
            if (r.label.equals(t)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown rotary '" + text + "' (expected gqa or embedding)");
    }
}
