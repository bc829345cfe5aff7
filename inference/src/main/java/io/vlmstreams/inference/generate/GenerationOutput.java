package io.vlmstreams.inference.generate;

/**
 * What one sequence generated.
 *
 * @param tokenIds new tokens, the stop token included when one ended generation
 * @param stopped  true when a stop token ended it, false when max_new_tokens did
 */
public record GenerationOutput(long[] tokenIds, boolean stopped) { }
