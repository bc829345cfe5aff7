package io.vlmstreams.inference.constrain;

import org.apache.lucene.util.automaton.Automaton;
import org.apache.lucene.util.automaton.Operations;
import org.apache.lucene.util.automaton.Transition;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A deterministic automaton over UTF-8 bytes as a dense table (states x 256), made from a byte
 * automaton by Lucene (determinized; see {@link JsonSchemaAutomaton#det} for why not minimized). Dead states are
 * removed, so every state reached can still be completed. It also knows, per state, the fewest
 * tokens that finish an answer from there ({@link #finishCost}) counting one token per byte (a
 * byte-level vocabulary has a token for every byte) and one for the stop token when the answer could
 * go on; {@code 0} means accepted with nothing that can follow.
 */
public final class ByteDfa {

    /** A transition to nowhere. */
    public static final int DEAD = -1;
    static final int WORK_LIMIT = 200_000;

    private final int[] next;
    private final boolean[] accept;
    private final boolean[] hasNext;
    private final int[] cost;
    private final int start;

    private ByteDfa(int[] next, boolean[] accept, int start) {
        this.next = next;
        this.accept = accept;
        this.start = start;
        int n = accept.length;
        this.hasNext = new boolean[n];
        for (int s = 0; s < n; s++) {
            for (int b = 0; b < 256; b++) {
                if (next[s * 256 + b] != DEAD) {
                    hasNext[s] = true;
                    break;
                }
            }
        }
        boolean[] all = new boolean[256];
        Arrays.fill(all, true);
        this.cost = finishCosts(all);
    }

    /** The table of {@code bytes}, an automaton over bytes (as Lucene builds it); fails when it admits nothing. */
    public static ByteDfa of(Automaton bytes) {
        Automaton det = Operations.removeDeadStates(JsonSchemaAutomaton.det(Operations.removeDeadStates(bytes)));
        if (det.getNumStates() == 0 || Operations.isEmpty(det)) {
            throw new IllegalArgumentException("the constraint admits no answer");
        }
        int n = det.getNumStates();
        int[] table = new int[n * 256];
        Arrays.fill(table, DEAD);
        boolean[] accept = new boolean[n];
        Transition t = new Transition();
        for (int s = 0; s < n; s++) {
            accept[s] = det.isAccept(s);
            int count = det.initTransition(s, t);
            for (int i = 0; i < count; i++) {
                det.getNextTransition(t);
                for (int b = t.min; b <= Math.min(255, t.max); b++) {
                    table[s * 256 + b] = t.dest;
                }
            }
        }
        return new ByteDfa(table, accept, 0);
    }

    public int start() {
        return start;
    }

    public int states() {
        return accept.length;
    }

    /** The state after byte {@code b} (0..255) from {@code state}, or {@link #DEAD}. */
    public int step(int state, int b) {
        return next[state * 256 + b];
    }

    /** The state after {@code bytes} from {@code state}, or {@link #DEAD}. */
    public int walk(int state, byte[] bytes) {
        int s = state;
        for (int i = 0; i < bytes.length && s != DEAD; i++) {
            s = next[s * 256 + (bytes[i] & 0xff)];
        }
        return s;
    }

    public boolean accepts(int state) {
        return accept[state];
    }

    /** Accepted and nothing may follow: the answer is complete. */
    public boolean complete(int state) {
        return accept[state] && !hasNext[state];
    }

    /** Fewest tokens that finish the answer from {@code state} (see the type's note). */
    public int finishCost(int state) {
        return cost[state];
    }

    /**
     * Per state, the fewest tokens that finish from there using only the bytes in {@code usable} (those
     * the vocabulary has a one-byte token for): multi-source shortest paths on the reversed graph,
     * complete states cost 0, accepting ones 1 (the stop token); {@link Integer#MAX_VALUE} when none.
     */
    public int[] finishCosts(boolean[] usable) {
        int n = accept.length;
        List<List<Integer>> preds = new ArrayList<>(n);
        for (int s = 0; s < n; s++) {
            preds.add(new ArrayList<>());
        }
        for (int s = 0; s < n; s++) {
            int last = DEAD;
            for (int b = 0; b < 256; b++) {
                int d = next[s * 256 + b];
                if (d != DEAD && d != last && usable[b]) {
                    preds.get(d).add(s);
                    last = d;
                }
            }
        }
        int[] dist = new int[n];
        Arrays.fill(dist, Integer.MAX_VALUE);
        List<Integer> level = new ArrayList<>();
        List<Integer> ones = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            if (complete(s)) {
                dist[s] = 0;
                level.add(s);
            } else if (accept[s]) {
                dist[s] = 1;
                ones.add(s);
            }
        }
        int d = 0;
        while (!level.isEmpty() || !ones.isEmpty()) {
            List<Integer> nextLevel = new ArrayList<>();
            if (d == 0) {
                nextLevel.addAll(ones);
                ones = List.of();
            }
            for (int s : level) {
                if (dist[s] != d) {
                    continue;
                }
                for (int p : preds.get(s)) {
                    if (dist[p] > d + 1) {
                        dist[p] = d + 1;
                        nextLevel.add(p);
                    }
                }
            }
            level = nextLevel;
            d++;
        }
        return dist;
    }
}
