package io.vlmstreams.inference.text;

import java.util.Arrays;
import java.util.Objects;

/**
 * A model-ready prompt: the chat-templated text with every image placeholder expanded, its token
 * ids, and how many of them are image tokens (one per row of image features to merge).
 */
public record Prompt(String text, long[] inputIds, int imageTokenCount) {

    public Prompt {
        Objects.requireNonNull(text, "text");
        inputIds = inputIds.clone();
    }

    /** A copy of the token ids. */
    @Override
    public long[] inputIds() {
        return inputIds.clone();
    }

    /** Number of tokens. */
    public int length() {
        return inputIds.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Prompt && ((Prompt) o).text.equals(text) && Arrays.equals(((Prompt) o).inputIds, inputIds)
                && ((Prompt) o).imageTokenCount == imageTokenCount;
    }

    @Override
    public int hashCode() {
        return Objects.hash(text, Arrays.hashCode(inputIds), imageTokenCount);
    }

    @Override
    public String toString() {
        return "Prompt[" + inputIds.length + " tokens, " + imageTokenCount + " image tokens]";
    }
}
