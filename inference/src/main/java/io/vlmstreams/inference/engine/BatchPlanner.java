package io.vlmstreams.inference.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Cuts prepared requests into model batches of at most {@code maxBatchSize} requests and
 * {@code maxImageTokens} image tokens; a request over the token budget on its own runs alone.
 * Requests are taken shortest prompt first, so each batch holds similar lengths, and a batch is
 * closed before left padding (computed but thrown away) would make its prefill more than
 * {@code maxPaddingRatio} times its real tokens: one tiled image (1,300 tokens) padded beside
 * three small ones (200) would otherwise cost the prefill 2.6 times its work. Returns indices into
 * the given list.
 */
record BatchPlanner(int maxBatchSize, int maxImageTokens, double maxPaddingRatio) {

    /** Padded prefill tokens allowed per real token before a batch is cut. */
    static final double DEFAULT_MAX_PADDING_RATIO = 1.3;

    BatchPlanner(int maxBatchSize, int maxImageTokens) {
        this(maxBatchSize, maxImageTokens, DEFAULT_MAX_PADDING_RATIO);
    }

    List<List<Integer>> plan(List<PreparedRequest> requests) {
        List<Integer> order = IntStream.range(0, requests.size()).boxed()
                .sorted(Comparator.comparingInt(i -> requests.get(i).promptIds().length))
                .toList();
        List<List<Integer>> batches = new ArrayList<>();
        List<Integer> current = new ArrayList<>();
        int tokens = 0;
        long promptTokens = 0;
        for (int i : order) {
            int t = requests.get(i).imageTokens();
            int length = requests.get(i).promptIds().length;
            // sorted ascending: this request's length is the batch's padded length if it joins
            boolean tooMuchPadding = (current.size() + 1L) * length > maxPaddingRatio * (promptTokens + length);
            if (!current.isEmpty() && (current.size() >= maxBatchSize || tokens + t > maxImageTokens || tooMuchPadding)) {
                batches.add(current);
                current = new ArrayList<>();
                tokens = 0;
                promptTokens = 0;
            }
            current.add(i);
            tokens += t;
            promptTokens += length;
        }
        if (!current.isEmpty()) {
            batches.add(current);
        }
        return batches;
    }
}
