package io.vlmstreams.inference.constrain;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A compiled constraint over one vocabulary: for each automaton state, the tokens that keep the
 * answer completable and the state each leads to, computed on first visit by one trie walk and
 * cached (states are few; masks are reused by every row and every request of the same format).
 * In an accepting state that may go on, the stop tokens are allowed too. Thread-safe.
 */
public final class TokenMasks {

    /** The "state" a stop token leads to: the answer ends. */
    public static final int ENDED = -2;

    private final ByteDfa dfa;
    private final VocabularyTrie trie;
    private final TokenBytes tokens;
    private final int[] stopTokenIds;
    private final AtomicReferenceArray<Allowed> cache;
    /** Per state, fewest tokens to finish through this vocabulary's one-byte tokens (an upper bound). */
    private final int[] cost;

    /**
     * The tokens allowed in one state, with where each leads.
     *
     * @param maxCost the largest {@link ByteDfa#finishCost} among the ends: steering is needed only below it
     */
    public record Allowed(int[] tokens, int[] ends, int maxCost) {
        public int size() {
            return tokens.length;
        }
    }

    TokenMasks(ByteDfa dfa, TokenBytes tokens, VocabularyTrie trie, int[] stopTokenIds) {
        this.dfa = dfa;
        this.tokens = tokens;
        this.trie = trie;
        this.stopTokenIds = stopTokenIds.clone();
        this.cache = new AtomicReferenceArray<>(dfa.states());
        boolean[] usable = new boolean[256];
        for (byte[] b : tokens.bytes()) {
            if (b != null && b.length == 1) {
                usable[b[0] & 0xff] = true;
            }
        }
        this.cost = dfa.finishCosts(usable);
    }

    public ByteDfa dfa() {
        return dfa;
    }

    /** Ids of the vocabulary (the logits a mask covers). */
    public int vocabSize() {
        return tokens.size();
    }

    /** The tokens allowed in {@code state}, cached. */
    public Allowed allowed(int state) {
        Allowed a = cache.get(state);
        if (a == null) {
            a = compute(state);
            cache.compareAndSet(state, null, a);
        }
        return a;
    }

    /** States whose masks have been computed so far. */
    public int cachedStates() {
        int n = 0;
        for (int i = 0; i < cache.length(); i++) {
            n += cache.get(i) == null ? 0 : 1;
        }
        return n;
    }

    private Allowed compute(int state) {
        int[][] buf = {new int[256], new int[256]};
        int[] n = {0};
        int[] maxCost = {0};
        trie.walk(dfa, state, (token, end) -> {
            if (n[0] == buf[0].length) {
                buf[0] = Arrays.copyOf(buf[0], n[0] * 2);
                buf[1] = Arrays.copyOf(buf[1], n[0] * 2);
            }
            buf[0][n[0]] = token;
            buf[1][n[0]] = end;
            n[0]++;
            maxCost[0] = Math.max(maxCost[0], cost[end]);
        });
        if (dfa.accepts(state) && !dfa.complete(state)) {
            for (int stop : stopTokenIds) {
                if (n[0] == buf[0].length) {
                    buf[0] = Arrays.copyOf(buf[0], n[0] * 2);
                    buf[1] = Arrays.copyOf(buf[1], n[0] * 2);
                }
                buf[0][n[0]] = stop;
                buf[1][n[0]] = ENDED;
                n[0]++;
            }
        }
        return new Allowed(Arrays.copyOf(buf[0], n[0]), Arrays.copyOf(buf[1], n[0]), maxCost[0]);
    }

    /** The state after {@code token} from {@code state}: {@link #ENDED} for a stop token, {@link ByteDfa#DEAD} if not allowed. */
    public int next(int state, int token) {
        for (int stop : stopTokenIds) {
            if (stop == token) {
                return dfa.accepts(state) ? ENDED : ByteDfa.DEAD;
            }
        }
        byte[] b = token >= 0 && token < tokens.size() ? tokens.bytes()[token] : null;
        return b == null ? ByteDfa.DEAD : dfa.walk(state, b);
    }

    /** Cost to finish after moving to {@code end} (0 once ended). */
    int costAt(int end) {
        return end == ENDED ? 0 : cost[end];
    }

    /** The stop tokens (allowed where the answer may end). */
    int[] stopTokenIds() {
        return stopTokenIds;
    }

    /** A fresh per-answer state. */
    public ConstraintState start() {
        return new ConstraintState(this);
    }
}
