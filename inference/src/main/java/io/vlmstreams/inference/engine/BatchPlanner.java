package io.vlmstreams.inference.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts prepared requests, in order, into model batches of at most {@code maxBatchSize} requests
 * and {@code maxImageTokens} image tokens; a request over the token budget on its own runs alone.
 */
record BatchPlanner(int maxBatchSize, int maxImageTokens) {

    List<List<Integer>> plan(List<PreparedRequest> requests) {
        List<List<Integer>> batches = new ArrayList<>();
        List<Integer> current = new ArrayList<>();
        int tokens = 0;
        for (int i = 0; i < requests.size(); i++) {
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
