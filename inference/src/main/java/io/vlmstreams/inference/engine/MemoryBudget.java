package io.vlmstreams.inference.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * Keeps model batches within a working-memory budget: a planned batch whose estimate exceeds it is
 * split in halves until every part fits, so it is never run whole. A single request over the budget
 * on its own is refused rather than risk an out-of-memory that would take every batch down.
 */
final class MemoryBudget {

    private final BatchMemoryEstimator estimator;
    private final long budgetBytes;

    /** @param budgetMb 0 means no budget */
    MemoryBudget(BatchMemoryEstimator estimator, int budgetMb) {
        this.estimator = estimator;
        this.budgetBytes = budgetMb == 0 ? Long.MAX_VALUE : budgetMb * 1024L * 1024L;
    }

    /** Whether {@code batch} is estimated above the budget. */
    boolean exceeds(List<PreparedRequest> batch) {
        return estimator.bytes(batch) > budgetBytes;
    }

    /** {@code batch} (indices into {@code ready}) cut into consecutive parts that each fit, or single requests. */
    List<List<Integer>> split(List<Integer> batch, List<PreparedRequest> ready) {
        List<List<Integer>> out = new ArrayList<>();
        splitInto(batch, ready, out);
        return out;
    }

    private void splitInto(List<Integer> batch, List<PreparedRequest> ready, List<List<Integer>> out) {
        if (batch.size() == 1 || !exceeds(batch.stream().map(ready::get).toList())) {
            out.add(batch);
            return;
        }
        int half = batch.size() / 2;
        splitInto(batch.subList(0, half), ready, out);
        splitInto(batch.subList(half, batch.size()), ready, out);
    }

    /** The failure of a request that does not fit the budget even alone. */
    InferenceException refusal(PreparedRequest p) {
        long mb = (estimator.bytes(List.of(p)) + (1 << 20) - 1) >> 20;
        return new InferenceException(InferenceException.Kind.IMAGE_TOO_LARGE, "request " + p.request().requestId()
                + " needs about " + mb + " MB of model memory, over the batch budget of " + (budgetBytes >> 20) + " MB");
    }
}
