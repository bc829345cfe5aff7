package io.vlmstreams.inference.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * Cuts one call's prepared requests into model batches with the engine's {@link BatchPolicy}.
 * Requests are taken shortest prompt first, so similar lengths land in the same batch (and in the
 * same prefill group inside it, see {@link io.vlmstreams.inference.generate.PrefillGroups}); prompt
 * lengths do not cut a batch: long and short prompts prefill apart and decode together. A request
 * over the memory budget on its own is refused rather than risk an out-of-memory that would take
 * every batch down.
 *
 * @param batches indices into the given list, one list per model batch
 * @param refused indices of the requests refused as over the memory budget
 */
record ModelBatches(List<List<Integer>> batches, List<Integer> refused) {

    static ModelBatches cut(List<PreparedRequest> requests, BatchPolicy policy,
                            Function<PreparedRequest, BatchPolicy.Cost> cost) {
        return cut(requests, policy, cost, null);
    }

    /** As above, each batch then regrouped into what may share decoder calls under {@code plan} (null: as cut). */
    static ModelBatches cut(List<PreparedRequest> requests, BatchPolicy policy,
                            Function<PreparedRequest, BatchPolicy.Cost> cost, BatchingPlan plan) {
        int[] lengths = new int[requests.size()];
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = requests.get(i).promptIds().length;
        }
        List<Integer> order = IntStream.range(0, requests.size()).boxed()
                .sorted(Comparator.comparingInt(i -> requests.get(i).promptIds().length))
                .toList();
        List<BatchPolicy.Cost> costs = order.stream().map(i -> cost.apply(requests.get(i))).toList();
        List<List<Integer>> batches = new ArrayList<>();
        List<Integer> refused = new ArrayList<>();
        int at = 0;
        while (at < order.size()) {
            int n = policy.joinable(BatchPolicy.Load.EMPTY, costs.subList(at, costs.size()));
            if (n == 0) {
                refused.add(order.get(at));
                at++;
            } else {
                List<Integer> batch = List.copyOf(order.subList(at, at + n));
                batches.addAll(plan == null ? List.of(batch) : plan.regroup(batch, lengths));
                at += n;
            }
        }
        return new ModelBatches(List.copyOf(batches), List.copyOf(refused));
    }
}
