package io.vlmstreams.convert.synth;

/**
 * The synthetic byte-level BPE {@code tokenizer.json} that {@code model synth --size 450m} writes
 * (65,536 entries), for tools that need a vocabulary of the real size without a model folder.
 */
public final class SyntheticTokenizer {

    /** Entries in the 450m-shaped model's tokenizer. */
    public static final int SIZE_450M = 65_536;

    private SyntheticTokenizer() { }

    /** The tokenizer.json text for {@code vocabSize} entries (deterministic). */
    public static String json(int vocabSize) {
        return ByteLevelBpeTokenizer.build(vocabSize).toString();
    }
}
