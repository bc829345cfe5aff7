package io.vlmstreams.inference.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Cuts prepared requests into model batches of at most {@code maxBatchSize} requests and
 * {@code maxImageTokens} image tokens; a request over the token budget on its own runs alone.
 * Requests are taken shortest prompt first, so similar lengths land in the same batch (and in the
 * same prefill group inside it, see {@link io.vlmstreams.inference.generate.PrefillGroups}).
 * Prompt lengths do not cut a batch: long and short prompts prefill apart and decode together.
 * Returns indices into the given list.
 */
record BatchPlanner(int maxBatchSize, int maxImageTokens) {

    List<List<Integer>> plan(List<PreparedRequest> requests) {
        List<Integer> order = IntStream.range(0, requests.size()).boxed()
                .sorted(Comparator.comparingInt(i -> requests.get(i).promptIds().length))
                .toList();
        List<List<Integer>> batches = new ArrayList<>();
        List<Integer> current = new ArrayList<>();
        int tokens = 0;
        for (int i : order) {
            int t = requests.get(i).imageTokens();
            if (!current.isEmpty() && (current.size() >= maxBatchSize || tokens + t > maxImageTokens)) {
                batches.add(current);
                current = new ArrayList<>();
                tokens = 0;
            }
            current.add(i);
            tokens += t;
        }
        if (!current.isEmpty()) {
            batches.add(current);
        }
        return batches;
    }
}
