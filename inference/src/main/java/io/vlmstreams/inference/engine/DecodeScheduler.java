package io.vlmstreams.inference.engine;

import io.vlmstreams.inference.generate.ContinuousBatch;
import io.vlmstreams.inference.generate.GenerationOutput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Continuous batching across callers. One model thread owns a single running decode batch; model
 * batches from any caller (the Streams tasks of every stream thread and pipeline) join it between
 * decoder steps: their images are encoded, their prompts prefilled in groups of bounded padding,
 * and their rows merged into the running caches, while sequences that finish leave at every step.
 * A batch's outcomes complete when its last sequence is done, so a short batch that arrives while a
 * long one decodes is answered first, and a decode step costs the same weight reads for all the
 * rows it carries.
 *
 * <p>Admission is the engine's {@link BatchPolicy}: a waiting batch boards when it may join, whole,
 * what is on board (the decode batch's rows); one that may not waits (first come, first served)
 * until rows leave. With nothing on board the first waiting batch boards anyway (the engine cut it
 * to fit alone). When a batch fails in the model its rows leave and it runs again on its own
 * through {@link BatchRunner#run}, which isolates the failing request; when a decoder step fails,
 * every batch on board is rerun that way (sampling is seeded per request, so a rerun gives the same
 * tokens).
 */
final class DecodeScheduler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DecodeScheduler.class);

    private final BatchRunner runner;
    private final Supplier<ContinuousBatch<Row>> batches;
    private final BatchPolicy policy;
    private final Function<PreparedRequest, BatchPolicy.Cost> costs;
    private final double maxPaddingRatio;
    /** Whether a batch may board while other rows decode ({@link BatchingPlan#joinsRunningDecode}). */
    private final boolean joinRunning;
    private final ModelHooks hooks;
    private final EngineStats stats;
    private final LinkedBlockingDeque<Job> queue = new LinkedBlockingDeque<>();
    private final List<Job> onBoard = new ArrayList<>();
    private final Thread thread;
    private ContinuousBatch<Row> batch;
    private volatile int rows;
    private volatile boolean closed;

    /**
     * @param batches a fresh, empty decode batch over the decoder session
     * @param policy  which waiting batches may board (count and memory)
     * @param costs   what a request costs a batch under {@code policy}
     * @param start   false leaves the model thread unstarted, for tests that drive {@link #cycle} themselves
     */
    DecodeScheduler(BatchRunner runner, Supplier<ContinuousBatch<Row>> batches, BatchPolicy policy,
                    Function<PreparedRequest, BatchPolicy.Cost> costs, double maxPaddingRatio, ModelHooks hooks,
                    EngineStats stats, boolean start) {
        this(runner, batches, policy, costs, maxPaddingRatio, true, hooks, stats, start);
    }

    /** @param joinRunning false when the graphs' batching plan lets nothing join a running decode */
    DecodeScheduler(BatchRunner runner, Supplier<ContinuousBatch<Row>> batches, BatchPolicy policy,
                    Function<PreparedRequest, BatchPolicy.Cost> costs, double maxPaddingRatio, boolean joinRunning,
                    ModelHooks hooks, EngineStats stats, boolean start) {
        this.joinRunning = joinRunning;
        this.runner = runner;
        this.batches = batches;
        this.policy = policy;
        this.costs = costs;
        this.maxPaddingRatio = maxPaddingRatio;
        this.hooks = hooks;
        this.stats = stats;
        this.batch = batches.get();
        this.thread = new Thread(this::loop, "vlm-model");
        this.thread.setDaemon(true);
        if (start) {
            thread.start();
        }
    }

    /** A sequence of the decode batch: request {@code index} of {@code job}. */
    record Row(Job job, int index) { }

    /** A model batch from one caller, with what it has gathered so far. */
    static final class Job {
        final List<PreparedRequest> requests;
        final List<BatchPolicy.Cost> costs;
        final long[] readyNanos;
        final long[] queuedNanos;
        final CompletableFuture<List<Outcome>> result = new CompletableFuture<>();
        final GenerationOutput[] outputs;
        BatchRunner.Started started;
        int rowsLeft;
        long prefillNanos;
        long decodeNanos;
        long promptTokens;

        Job(List<PreparedRequest> requests, List<BatchPolicy.Cost> costs, long[] readyNanos) {
            this.requests = List.copyOf(requests);
            this.costs = List.copyOf(costs);
            this.readyNanos = readyNanos.clone();
            this.queuedNanos = new long[requests.size()];
            this.outputs = new GenerationOutput[requests.size()];
        }
    }

    /**
     * Queues a model batch; the future completes with one outcome per request, in order (also when
     * the scheduler closes first: then every request fails as closed).
     *
     * @param readyNanos per request, the {@link System#nanoTime} at which it was ready for the model
     */
    CompletableFuture<List<Outcome>> submit(List<PreparedRequest> requests, long[] readyNanos) {
        Job job = new Job(requests, requests.stream().map(costs).toList(), readyNanos);
        if (closed) {
            job.result.complete(closedOutcomes(job));
            return job.result;
        }
        queue.add(job);
        // close() drains the queue after setting the flag: whichever of the two sees the job completes it
        if (closed && queue.remove(job)) {
            job.result.complete(closedOutcomes(job));
            return job.result;
        }
        hooks.queued(job.requests);
        return job.result;
    }

    /** Sequences decoding now (read from any thread). */
    int rows() {
        return rows;
    }

    private void loop() {
        while (true) {
            try {
                if (closed) {
                    // closing: admit nothing more, but finish the sequences on board
                    if (batch.size() == 0) {
                        break;
                    }
                    step();
                } else {
                    cycle(200);
                }
            } catch (InterruptedException e) {
                // close() wakes a waiting poll; the loop re-reads the flag
            } catch (RuntimeException e) {
                // not a model failure (those are handled per batch): keep the thread, fail what is on board
                LOG.error("model thread failed", e);
                failOnBoard("model thread failed: " + e);
            }
        }
    }

    /**
     * One round of the model thread: admits waiting batches (waiting up to {@code waitMillis} for
     * one when nothing decodes), then runs one decoder step.
     */
    void cycle(long waitMillis) throws InterruptedException {
        if (batch.size() == 0) {
            Job first = queue.poll(waitMillis, TimeUnit.MILLISECONDS);
            if (first == null) {
                return;
            }
            board(first);
        }
        Job next;
        while ((next = queue.peek()) != null && admissible(next)) {
            board(queue.poll());
        }
        if (batch.size() > 0) {
            step();
        }
    }

    private boolean admissible(Job job) {
        if (!joinRunning && batch.size() > 0) {
            return false;
        }
        List<BatchPolicy.Cost> decoding = new ArrayList<>();
        for (Row r : batch.keys()) {
            decoding.add(r.job().costs.get(r.index()));
        }
        return policy.admits(BatchPolicy.Load.of(decoding), job.costs);
    }

    /** Encodes, classifies and prefills a batch, its rows joining the decode batch. */
    private void board(Job job) {
        long now = System.nanoTime();
        for (int i = 0; i < job.queuedNanos.length; i++) {
            job.queuedNanos[i] = Math.max(0, now - job.readyNanos[i]);
        }
        try {
            BatchRunner.Started s = runner.start(job.requests);
            job.started = s;
            job.rowsLeft = s.inputs().size();
            onBoard.add(job);
            List<Row> keys = new ArrayList<>(s.inputs().size());
            for (int k = 0; k < s.inputs().size(); k++) {
                keys.add(new Row(job, s.generating().get(k)));
                job.promptTokens += s.inputs().get(k).prompt().tokenIds().length;
            }
            long t0 = System.nanoTime();
            List<ContinuousBatch.Finished<Row>> finished = batch.joinGrouped(keys, s.inputs(), maxPaddingRatio);
            job.prefillNanos += System.nanoTime() - t0;
            rows = batch.size();
            deliver(finished);
            if (job.rowsLeft == 0) {
                complete(job);
            }
        } catch (RuntimeException e) {
            batch.leave(r -> r.job() == job);
            rows = batch.size();
            onBoard.remove(job);
            isolate(job, e);
        }
    }

    private void step() {
        List<Row> carried = batch.keys();
        long t0 = System.nanoTime();
        List<ContinuousBatch.Finished<Row>> finished;
        try {
            List<PreparedRequest> decoding = new ArrayList<>(carried.size());
            for (Row r : carried) {
                decoding.add(r.job().requests.get(r.index()));
            }
            hooks.beforeDecodeStep(decoding);
            finished = batch.step();
            this.rows = batch.size();
            stats.decoded(1, carried.size());
        } catch (RuntimeException e) {
            List<Job> affected = new ArrayList<>(onBoard);
            batch.close();
            batch = batches.get();
            rows = 0;
            onBoard.clear();
            for (Job job : affected) {
                isolate(job, e);
            }
            return;
        }
        long took = System.nanoTime() - t0;
        Map<Job, Integer> share = new IdentityHashMap<>();
        for (Row r : carried) {
            share.merge(r.job(), 1, Integer::sum);
        }
        // a step reads the weights once for every row it carries: each batch pays its rows' share
        share.forEach((job, n) -> job.decodeNanos += took * n / carried.size());
        deliver(finished);
    }

    private void deliver(List<ContinuousBatch.Finished<Row>> finished) {
        for (ContinuousBatch.Finished<Row> f : finished) {
            Job job = f.key().job();
            job.outputs[f.key().index()] = f.output();
            if (--job.rowsLeft == 0) {
                complete(job);
            }
        }
    }

    private void complete(Job job) {
        onBoard.remove(job);
        try {
            job.result.complete(runner.finish(job.requests, job.queuedNanos, job.started, job.outputs,
                    job.prefillNanos, job.decodeNanos, job.promptTokens));
        } catch (RuntimeException e) {
            job.result.completeExceptionally(e);
        }
    }

    /** Runs a batch that failed beside others again on its own, where a failing request is isolated. */
    private void isolate(Job job, RuntimeException cause) {
        LOG.warn("batch of {} failed in the continuous batch ({}); running it on its own", job.requests.size(), cause.toString());
        try {
            job.result.complete(runner.run(job.requests, job.queuedNanos));
        } catch (RuntimeException e) {
            job.result.completeExceptionally(e);
        }
    }

    private void failOnBoard(String reason) {
        batch.close();
        batch = batches.get();
        rows = 0;
        for (Job job : onBoard) {
            job.result.complete(failures(job, reason));
        }
        onBoard.clear();
    }

    private static List<Outcome> closedOutcomes(Job job) {
        return failures(job, "engine is closed");
    }

    private static List<Outcome> failures(Job job, String reason) {
        List<Outcome> out = new ArrayList<>();
        for (PreparedRequest p : job.requests) {
            out.add(new Outcome.Failure(p.request().requestId(),
                    new InferenceException(InferenceException.Kind.INFERENCE_FAILED, reason)));
        }
        return out;
    }

    /**
     * Stops admitting batches (queued ones fail as closed), lets the model thread finish the
     * sequences on board, as a batch in flight is never cut short, and stops it.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        thread.interrupt();
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        failOnBoard("engine is closed");
        batch.close();
        Job job;
        while ((job = queue.poll()) != null) {
            job.result.complete(closedOutcomes(job));
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
