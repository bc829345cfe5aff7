package io.vlmstreams.inference.generate;

/**
 * What one sequence generated.
 *
 * @param tokenIds   new tokens, the stop token included when one ended generation
 * @param stopped    true when a stop token ended it, or a constraint was complete, false when max_new_tokens did
 * @param incomplete true when the answer's constraint was not satisfied when it ended (out of tokens, or a
 *                   dead end of the vocabulary)
 */
public record GenerationOutput(long[] tokenIds, boolean stopped, boolean incomplete) {

    /** An unconstrained output. */
    public GenerationOutput(long[] tokenIds, boolean stopped) {
        this(tokenIds, stopped, false);
    }
}
