package io.vlmstreams.inference.constrain;

import org.apache.lucene.util.automaton.Automaton;
import org.apache.lucene.util.automaton.Operations;
import org.apache.lucene.util.automaton.Transition;

/**
 * {@code min} to {@code max} repetitions of a one-character DFA, built deterministic: copies of it
 * chained end to start. Lucene's {@code repeat} makes a nondeterministic automaton whose
 * determinization dominates a schema's compile time for a string of {@code maxLength} 60 (tens of
 * milliseconds); chaining costs nothing because a character's DFA has one end state with nothing
 * after it, so the end of one copy can be the start of the next.
 */
final class CharRepeat {

    private CharRepeat() { }

    /** @param max -1 for no upper bound */
    static Automaton of(Automaton charDfa, int min, int max) {
        int k = charDfa.getNumStates();
        int end = singleEnd(charDfa);
        if (end < 0 || end == 0) {
            return max < 0 ? Operations.repeat(charDfa, min) : Operations.repeat(charDfa, min, max);
        }
        int copies = max < 0 ? min + 1 : max;
        // copy j holds the char's states but its end (k - 1 states); the end of copy j is the start of copy j + 1
        int per = k - 1;
        Automaton.Builder b = new Automaton.Builder();
        int total = copies * per + 1;
        for (int i = 0; i < total; i++) {
            b.createState();
        }
        Transition t = new Transition();
        for (int j = 0; j < copies; j++) {
            for (int s = 0; s < k; s++) {
                if (s == end) {
                    continue;
                }
                int from = id(j, s, end, per);
                int n = charDfa.initTransition(s, t);
                for (int i = 0; i < n; i++) {
                    charDfa.getNextTransition(t);
                    int to;
                    if (t.dest == end) {
                        // unbounded: the last copy's end loops back to its own start
                        to = max < 0 && j == copies - 1 ? id(j, 0, end, per) : (j + 1) * per;
                    } else {
                        to = id(j, t.dest, end, per);
                    }
                    b.addTransition(from, to, t.min, t.max);
                }
            }
        }
        // after j characters the automaton is at the start of copy j
        int last = max < 0 ? copies - 1 : copies;
        for (int j = min; j <= last; j++) {
            b.setAccept(j * per, true);
        }
        return b.finish();
    }

    private static int id(int copy, int state, int end, int per) {
        return copy * per + (state < end ? state : state - 1);
    }

    /** The one accepting state, with no transitions out; -1 when the DFA is not like that. */
    private static int singleEnd(Automaton a) {
        int end = -1;
        for (int s = 0; s < a.getNumStates(); s++) {
            if (a.isAccept(s)) {
                if (end >= 0 || a.getNumTransitions(s) > 0) {
                    return -1;
                }
                end = s;
            }
        }
        return end;
    }
}
