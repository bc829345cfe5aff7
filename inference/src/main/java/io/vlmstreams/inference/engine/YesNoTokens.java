package io.vlmstreams.inference.engine;

import io.vlmstreams.inference.text.TextTokenizer;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The tokens a yes or a no answer starts with, in the case and leading-space variants the tokenizer
 * has: the first token of each variant's encoding ({@code Yes}, {@code ĠYes}, ... when they are
 * whole tokens; their first pieces otherwise). A token both sets would share is left out of both.
 */
record YesNoTokens(int[] yes, int[] no) {

    private static final String[] YES = {"yes", "Yes", "YES", " yes", " Yes", " YES"};
    private static final String[] NO = {"no", "No", "NO", " no", " No", " NO"};

    static YesNoTokens of(TextTokenizer tokenizer) {
        Set<Integer> yes = firstTokens(tokenizer, YES);
        Set<Integer> no = firstTokens(tokenizer, NO);
        Set<Integer> both = new LinkedHashSet<>(yes);
        both.retainAll(no);
        yes.removeAll(both);
        no.removeAll(both);
        if (yes.isEmpty() || no.isEmpty()) {
            throw new IllegalArgumentException("the tokenizer has no distinct first tokens for yes and no");
        }
        return new YesNoTokens(yes.stream().mapToInt(Integer::intValue).toArray(), no.stream().mapToInt(Integer::intValue).toArray());
    }

    private static Set<Integer> firstTokens(TextTokenizer tokenizer, String[] variants) {
        Set<Integer> out = new LinkedHashSet<>();
        for (String v : variants) {
            long[] ids = tokenizer.encode(v);
            if (ids.length > 0) {
                out.add((int) ids[0]);
            }
        }
        return out;
    }
}
