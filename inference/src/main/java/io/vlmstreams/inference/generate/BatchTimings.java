package io.vlmstreams.inference.generate;

/**
 * Where a batch's decoder time went.
 *
 * @param prefillNanos  embedding and the prompt pass (until the first logits)
 * @param decodeNanos   every later step
 * @param prefillTokens real (unpadded) prompt tokens processed
 * @param decodeSteps   decoder runs after the prefill
 * @param decodeTokens  tokens generated after the first one, summed over rows
 */
public record BatchTimings(long prefillNanos, long decodeNanos, long prefillTokens, int decodeSteps, long decodeTokens) { }
