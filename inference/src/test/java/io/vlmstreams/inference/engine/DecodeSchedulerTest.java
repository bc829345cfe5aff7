package io.vlmstreams.inference.engine;

import io.vlmstreams.inference.generate.PrefillGroups;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static io.vlmstreams.inference.engine.TinyParts.greedy;
import static io.vlmstreams.inference.engine.TinyParts.ids;
import static io.vlmstreams.inference.engine.TinyParts.success;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The continuous-batching scheduler on the tiny model, its model thread left unstarted: the test
 * runs each round ({@link DecodeScheduler#cycle}) itself, so which batch is on board at which
 * decoder step is decided by the test, not by timing.
 */
class DecodeSchedulerTest {

    private static final BatchPolicy EIGHT = BatchPolicy.model(8, 0);

    private static ModelParts parts;

    /** Records the request ids each decode step carries; fails one step carrying {@link #failOnce}, once. */
    private static final class StepLog implements ModelHooks {
        final List<List<String>> steps = new ArrayList<>();
        final Set<String> failOnce = new HashSet<>();

        @Override
        public void beforeDecodeStep(List<PreparedRequest> decoding) {
            steps.add(ids(decoding));
            for (String id : ids(decoding)) {
                if (failOnce.remove(id)) {
                    throw new BatchFaults.InjectedFault("test fault in a decode step carrying " + id);
                }
            }
        }

        int lastStepCarrying(String id) {
            for (int i = steps.size() - 1; i >= 0; i--) {
                if (steps.get(i).contains(id)) {
                    return i;
                }
            }
            return -1;
        }
    }

    @BeforeAll
    static void open() {
        parts = TinyParts.open(new ModelHooks() { }, new EngineStats());
    }

    @AfterAll
    static void close() {
        if (parts != null) {
            parts.close();
        }
    }

    private static DecodeScheduler scheduler(BatchPolicy policy, StepLog log) {
        return new DecodeScheduler(parts.runner, parts::newDecodeBatch, policy, parts.estimator::cost,
                PrefillGroups.DEFAULT_MAX_PADDING_RATIO, log, new EngineStats(), false);
    }

    private static List<PreparedRequest> prepared(InferenceRequest... requests) {
        List<PreparedRequest> out = new ArrayList<>();
        for (InferenceRequest r : requests) {
            out.add(parts.preparer.prepare(r));
        }
        return out;
    }

    private static CompletableFuture<List<Outcome>> submit(DecodeScheduler scheduler, List<PreparedRequest> batch) {
        long[] ready = new long[batch.size()];
        java.util.Arrays.fill(ready, System.nanoTime());
        return scheduler.submit(batch, ready);
    }

    /** The tokens of {@code p} run on its own, without the scheduler. */
    private static long[] alone(PreparedRequest p) {
        return success(parts.runner.run(List.of(p), new long[1]).get(0)).tokenIds();
    }

    private static void runUntilDone(DecodeScheduler scheduler, CompletableFuture<?> future) throws InterruptedException {
        while (!future.isDone()) {
            scheduler.cycle(0);
        }
    }

    @Test
    void aBatchQueuedWhileAnotherDecodesBoardsBetweenStepsAndIsAnsweredFirst() throws Exception {
        StepLog log = new StepLog();
        List<PreparedRequest> longBatch = prepared(greedy("long-1", "coins.png", 40), greedy("long-2", "text.png", 40));
        List<PreparedRequest> shortBatch = prepared(greedy("short", "motorcycle_right.png", 5));
        try (DecodeScheduler scheduler = scheduler(EIGHT, log)) {
            CompletableFuture<List<Outcome>> longRun = submit(scheduler, longBatch);
            scheduler.cycle(0);
            assertThat(scheduler.rows()).as("the long batch boarded and decodes").isEqualTo(2);

            CompletableFuture<List<Outcome>> shortRun = submit(scheduler, shortBatch);
            scheduler.cycle(0);
            assertThat(scheduler.rows()).as("the short batch joined the running decode").isEqualTo(3);
            runUntilDone(scheduler, shortRun);

            assertThat(longRun).as("the long batch still decodes when the short one is answered").isNotDone();
            assertThat(scheduler.rows()).isEqualTo(2);
            runUntilDone(scheduler, longRun);
            assertThat(scheduler.rows()).isZero();

            assertThat(log.steps.get(0)).containsExactlyInAnyOrder("long-1", "long-2");
            assertThat(log.steps.get(1)).containsExactlyInAnyOrder("long-1", "long-2", "short");
            assertThat(log.lastStepCarrying("short")).isLessThan(log.lastStepCarrying("long-1"));
            assertThat(success(shortRun.get().get(0)).tokenIds()).hasSize(5).containsExactly(alone(shortBatch.get(0)));
            for (int i = 0; i < longBatch.size(); i++) {
                assertThat(success(longRun.get().get(i)).tokenIds()).as("long-%d beside a joining batch vs alone", i + 1)
                        .hasSizeGreaterThan(6).containsExactly(alone(longBatch.get(i)));
            }
        }
    }

    @Test
    void aBatchWaitsUntilTheCountLimitLeavesRoomThenBoards() throws Exception {
        StepLog log = new StepLog();
        List<PreparedRequest> first = prepared(greedy("a1", "coins.png", 6), greedy("a2", "text.png", 6));
        List<PreparedRequest> second = prepared(greedy("b", "text.png", 3));
        try (DecodeScheduler scheduler = scheduler(BatchPolicy.model(2, 0), log)) {
            CompletableFuture<List<Outcome>> a = submit(scheduler, first);
            scheduler.cycle(0);
            CompletableFuture<List<Outcome>> b = submit(scheduler, second);
            runUntilDone(scheduler, a);
            assertThat(b).isNotDone();
            runUntilDone(scheduler, b);

            assertThat(log.steps).allSatisfy(step -> assertThat(step).hasSizeLessThanOrEqualTo(2));
            assertThat(log.steps).noneSatisfy(step -> assertThat(step).contains("a1", "b"));
            assertThat(success(b.get().get(0)).tokenIds()).containsExactly(alone(second.get(0)));
        }
    }

    @Test
    void aBatchWaitsUntilItFitsTheMemoryBudgetBesideWhatDecodes() throws Exception {
        StepLog log = new StepLog();
        List<PreparedRequest> first = prepared(greedy("a1", "coins.png", 6), greedy("a2", "coins.png", 6));
        List<PreparedRequest> second = prepared(greedy("b", "coins.png", 3));
        // room for exactly the first batch: its two rows and a third would not fit
        long budget = parts.estimator.bytes(first);
        assertThat(parts.estimator.bytes(List.of(first.get(0), first.get(1), second.get(0)))).isGreaterThan(budget);
        try (DecodeScheduler scheduler = scheduler(new BatchPolicy(8, BatchPolicy.UNBOUNDED, budget), log)) {
            CompletableFuture<List<Outcome>> a = submit(scheduler, first);
            scheduler.cycle(0);
            CompletableFuture<List<Outcome>> b = submit(scheduler, second);
            runUntilDone(scheduler, a);
            assertThat(b).isNotDone();
            runUntilDone(scheduler, b);

            assertThat(log.steps).noneSatisfy(step -> assertThat(step).contains("b", "a1"));
            assertThat(success(b.get().get(0)).tokenIds()).containsExactly(alone(second.get(0)));
        }
    }

    @Test
    void aFailedDecodeStepRerunsEveryBatchOnBoardOnItsOwnAndAllAreAnswered() throws Exception {
        StepLog log = new StepLog();
        log.failOnce.add("b");
        List<PreparedRequest> first = prepared(greedy("a", "coins.png", 8));
        List<PreparedRequest> second = prepared(greedy("b", "text.png", 8));
        try (DecodeScheduler scheduler = scheduler(EIGHT, log)) {
            CompletableFuture<List<Outcome>> a = submit(scheduler, first);
            CompletableFuture<List<Outcome>> b = submit(scheduler, second);
            scheduler.cycle(0);
            assertThat(a).as("both batches were rerun on their own after the failed step").isDone();
            assertThat(b).isDone();
            assertThat(scheduler.rows()).isZero();
            assertThat(log.steps).hasSize(1);
            assertThat(success(a.get().get(0)).tokenIds()).hasSize(8).containsExactly(alone(first.get(0)));
            assertThat(success(b.get().get(0)).tokenIds()).hasSize(8).containsExactly(alone(second.get(0)));
        }
    }

    @Test
    void closingFailsQueuedBatchesAndLaterSubmissionsAtOnce() {
        List<PreparedRequest> batch = prepared(greedy("queued", "coins.png", 4));
        DecodeScheduler scheduler = scheduler(EIGHT, new StepLog());
        CompletableFuture<List<Outcome>> queued = submit(scheduler, batch);
        scheduler.close();
        CompletableFuture<List<Outcome>> late = submit(scheduler, batch);
        for (CompletableFuture<List<Outcome>> f : List.of(queued, late)) {
            assertThat(f).isDone();
            assertThat(f.join().get(0)).isInstanceOfSatisfying(Outcome.Failure.class,
                    failure -> assertThat(failure.error().getMessage()).isEqualTo("engine is closed"));
        }
    }
}
