package io.vlmstreams.inference.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Runs a batch and, when it throws, runs each half again, recursively, until the item that fails
 * on its own is isolated: its batch-mates still get their results, and only the culprit gets a
 * failure. A failing batch of n items with one culprit costs about 2*log2(n) extra runs.
 *
 * @param <T> batch item
 * @param <R> per-item result
 */
final class SplitRetry<T, R> {

    /** Called before each half is retried: the size of the batch that failed and why. */
    interface Listener {
        void splitting(int size, RuntimeException cause);
    }

    private final Function<List<T>, List<R>> run;
    private final BiFunction<T, RuntimeException, R> failure;
    private final Listener listener;

    /**
     * @param run     runs a batch, returning one result per item in order, or throws
     * @param failure the result of an item that fails alone
     */
    SplitRetry(Function<List<T>, List<R>> run, BiFunction<T, RuntimeException, R> failure, Listener listener) {
        this.run = run;
        this.failure = failure;
        this.listener = listener;
    }

    List<R> apply(List<T> batch) {
        try {
            return run.apply(batch);
        } catch (RuntimeException e) {
            if (batch.size() == 1) {
                return List.of(failure.apply(batch.get(0), e));
            }
            listener.splitting(batch.size(), e);
            int half = batch.size() / 2;
            List<R> out = new ArrayList<>(apply(batch.subList(0, half)));
            out.addAll(apply(batch.subList(half, batch.size())));
            return out;
        }
    }
}
