package io.vlmstreams.inference.constrain;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The compiled constraints of one model: each {@link ResponseFormat} compiled once against the
 * vocabulary (read on first use) and kept, so every request of a pipeline shares its masks.
 * Thread-safe.
 */
public final class Constraints {

    private final Supplier<TokenBytes> vocabulary;
    private final int[] stopTokenIds;
    private final ConcurrentHashMap<ResponseFormat, TokenMasks> compiled = new ConcurrentHashMap<>();
    private volatile VocabularyTrie trie;
    private volatile TokenBytes tokens;

    /** @param vocabulary the tokenizer's token bytes, read when the first format is compiled */
    public Constraints(Supplier<TokenBytes> vocabulary, long[] stopTokenIds) {
        this.vocabulary = vocabulary;
        this.stopTokenIds = new int[stopTokenIds.length];
        for (int i = 0; i < stopTokenIds.length; i++) {
            this.stopTokenIds[i] = Math.toIntExact(stopTokenIds[i]);
        }
    }

    /** {@code format} compiled for this vocabulary; an unsupported or invalid format fails with its reason. */
    public TokenMasks compile(ResponseFormat format) {
        TokenMasks m = compiled.get(format);
        if (m != null) {
            return m;
        }
        ByteDfa dfa = ByteDfa.of(format.automaton());
        m = new TokenMasks(dfa, tokens(), trie, stopTokenIds);
        TokenMasks raced = compiled.putIfAbsent(format, m);
        return raced == null ? m : raced;
    }

    private synchronized TokenBytes tokens() {
        if (tokens == null) {
            TokenBytes t = vocabulary.get();
            trie = new VocabularyTrie(t);
            tokens = t;
        }
        return tokens;
    }

    /** Compiles {@code format} without a vocabulary: fails as {@link #compile} would (for checks at start). */
    public static void check(ResponseFormat format) {
        ByteDfa.of(format.automaton());
    }
}
