package io.vlmstreams.inference.constrain;

import java.util.Arrays;

/**
 * The vocabulary's byte strings as a trie, so a state's allowed tokens are found by one walk that
 * drops a whole subtree at the first byte the automaton refuses (about as many nodes as the
 * vocabulary's bytes, visited once per automaton state).
 */
final class VocabularyTrie {

    // node arrays: first child, next sibling, the byte on the edge into it, first token ending there
    private int[] firstChild;
    private int[] nextSibling;
    private int[] label;
    private int[] tokenHead;
    private final int[] tokenNext;
    private int nodes = 1;
    final int vocabSize;

    VocabularyTrie(TokenBytes tokens) {
        int guess = 1024;
        for (byte[] b : tokens.bytes()) {
            guess += b == null ? 0 : b.length;
        }
        firstChild = new int[guess];
        nextSibling = new int[guess];
        label = new int[guess];
        tokenHead = new int[guess];
        Arrays.fill(firstChild, -1);
        Arrays.fill(tokenHead, -1);
        vocabSize = tokens.size();
        tokenNext = new int[vocabSize];
        Arrays.fill(tokenNext, -1);
        for (int id = 0; id < vocabSize; id++) {
            byte[] b = tokens.bytes()[id];
            if (b != null) {
                insert(id, b);
            }
        }
    }

    private void insert(int id, byte[] bytes) {
        int node = 0;
        for (byte x : bytes) {
            int v = x & 0xff;
            int c = firstChild[node];
            while (c != -1 && label[c] != v) {
                c = nextSibling[c];
            }
            if (c == -1) {
                c = nodes++;
                label[c] = v;
                nextSibling[c] = firstChild[node];
                firstChild[node] = c;
            }
            node = c;
        }
        tokenNext[id] = tokenHead[node];
        tokenHead[node] = id;
    }

    /** Calls {@code out} with every token whose bytes the automaton can read from {@code state}, and the state after it. */
    void walk(ByteDfa dfa, int state, TokenSink out) {
        int[] nodeStack = new int[64];
        int[] stateStack = new int[64];
        int top = 0;
        nodeStack[0] = 0;
        stateStack[0] = state;
        top = 1;
        while (top > 0) {
            top--;
            int node = nodeStack[top];
            int s = stateStack[top];
            for (int c = firstChild[node]; c != -1; c = nextSibling[c]) {
                int d = dfa.step(s, label[c]);
                if (d == ByteDfa.DEAD) {
                    continue;
                }
                for (int t = tokenHead[c]; t != -1; t = tokenNext[t]) {
                    out.accept(t, d);
                }
                if (firstChild[c] != -1) {
                    if (top == nodeStack.length) {
                        nodeStack = Arrays.copyOf(nodeStack, top * 2);
                        stateStack = Arrays.copyOf(stateStack, top * 2);
                    }
                    nodeStack[top] = c;
                    stateStack[top] = d;
                    top++;
                }
            }
        }
    }

    /** Receives a token and the automaton state after it. */
    interface TokenSink {
        void accept(int token, int state);
    }
}
