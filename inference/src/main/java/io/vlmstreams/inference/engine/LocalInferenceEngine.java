package io.vlmstreams.inference.engine;

import io.vlmstreams.inference.generate.PrefillGroups;
import io.vlmstreams.inference.model.ModelFolder;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link InferenceEngine} over a local ONNX model folder. A {@link #runBatch} call's images are
 * decoded and preprocessed on a small thread pool, then its requests are cut into model batches by
 * the engine's {@link BatchPolicy} ({@link ModelBatches}) and handed to one model thread that
 * batches continuously ({@link DecodeScheduler}): a batch boards the running decode between steps,
 * whichever caller it comes from, when the same policy lets it join what is on board, and the call
 * returns when its last sequence is done. Thread-safe.
 */
public final class LocalInferenceEngine implements InferenceEngine {

    private final ModelParts parts;
    private final BatchPolicy policy;
    private final DecodeScheduler scheduler;
    private final EngineStats stats;
    private final ExecutorService preprocessPool;
    private volatile boolean closed;

    private LocalInferenceEngine(EngineConfig config, ModelParts parts, ModelHooks hooks, EngineStats stats) {
        this.parts = parts;
        this.stats = stats;
        this.policy = config.batchPolicy();
        this.scheduler = new DecodeScheduler(parts.runner, parts::newDecodeBatch, policy, parts.estimator::cost,
                parts.plan.maxPaddingRatio(), parts.plan.joinsRunningDecode(), hooks, stats, true);
        AtomicInteger n = new AtomicInteger();
        this.preprocessPool = Executors.newFixedThreadPool(config.preprocessThreads(), r -> {
            Thread t = new Thread(r, "vlm-preprocess-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Opens the model folder and its sessions. */
    public static LocalInferenceEngine open(EngineConfig config) {
        return open(config, new BatchFaults(config.faultInjectRequestIds()));
    }

    /**
     * Opens the sessions of {@code folder}, already read (e.g. by a start-up check) from {@code config}'s folder
     * with {@code config}'s dtype, so the configs and graph headers are not read a second time.
     *
     * @throws IllegalArgumentException when {@code folder} is another folder than {@code config.modelDir()}
     */
    public static LocalInferenceEngine open(EngineConfig config, ModelFolder folder) {
        if (!folder.dir().equals(config.modelDir().toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("model folder " + folder.dir() + " is not the configured " + config.modelDir());
        }
        return open(config, folder, new BatchFaults(config.faultInjectRequestIds()));
    }

    /** Test seam: an engine whose model thread calls {@code hooks} (instead of the configured fault injection). */
    static LocalInferenceEngine open(EngineConfig config, ModelHooks hooks) {
        return open(config, ModelFolder.open(config.modelDir(), config.dtype()), hooks);
    }

    private static LocalInferenceEngine open(EngineConfig config, ModelFolder folder, ModelHooks hooks) {
        EngineStats stats = new EngineStats();
        ModelParts parts = ModelParts.open(config, folder, hooks, stats);
        try {
            return new LocalInferenceEngine(config, parts, hooks, stats);
        } catch (RuntimeException e) {
            parts.close();
            throw e;
        }
    }

    /** The CPU side of a request (decoded, preprocessed, tokenized), e.g. to inspect or dump the model inputs. */
    public PreparedRequest prepare(InferenceRequest request) {
        return parts.preparer.prepare(request);
    }

    /** Sequences in the running decode batch now, whichever callers they came from (a gauge). */
    public int decodingSequences() {
        return scheduler.rows();
    }

    @Override
    public long imageCacheHits() {
        return parts.imageCache == null ? 0 : parts.imageCache.hits();
    }

    /** The image-feature cache (off when {@code engine.image.cache.bytes} is 0). */
    public ImageFeatureCache imageCache() {
        return parts.imageCache;
    }

    /** Totals since the engine opened. */
    public EngineStats stats() {
        return stats;
    }

    /** How rows share model calls on this folder's graphs, as chosen and self-checked at load. */
    public BatchingPlan batchingPlan() {
        return parts.plan;
    }

    /**
     * Runs the load-time self-check again from {@code assumed} (for {@code model inspect} and tests):
     * the plan it finds exact on these graphs, never looser than {@code assumed}.
     */
    public BatchingPlan selfCheck(BatchingPlan assumed) {
        return parts.selfCheck().check(assumed);
    }

    /** The policy that cuts this engine's model batches and admits them to the running decode batch. */
    public BatchPolicy batchPolicy() {
        return policy;
    }

    @Override
    public List<Outcome> runBatch(List<InferenceRequest> requests) {
        if (closed) {
            return requests.stream().<Outcome>map(r -> new Outcome.Failure(r.requestId(), closedError())).toList();
        }
        long submitted = System.nanoTime();
        List<CompletableFuture<PreparedRequest>> preparing = new ArrayList<>();
        for (InferenceRequest r : requests) {
            preparing.add(prepareAsync(r));
        }
        Outcome[] outcomes = new Outcome[requests.size()];
        List<PreparedRequest> ready = new ArrayList<>();
        List<Integer> readyIdx = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            try {
                PreparedRequest p = preparing.get(i).join();
                stats.preprocessed(p.preprocessNanos());
                ready.add(p);
                readyIdx.add(i);
            } catch (CompletionException e) {
                outcomes[i] = new Outcome.Failure(requests.get(i).requestId(), asInferenceException(requests.get(i), e.getCause()));
            }
        }
        ModelBatches cut = ModelBatches.cut(ready, policy, parts.estimator::cost, parts.plan);
        for (int j : cut.refused()) {
            outcomes[readyIdx.get(j)] = new Outcome.Failure(ready.get(j).request().requestId(), refusal(ready.get(j)));
        }
        List<CompletableFuture<List<Outcome>>> running = new ArrayList<>();
        for (List<Integer> batch : cut.batches()) {
            List<PreparedRequest> members = new ArrayList<>();
            long[] readyAt = new long[batch.size()];
            for (int k = 0; k < batch.size(); k++) {
                PreparedRequest p = ready.get(batch.get(k));
                members.add(p);
                readyAt[k] = submitted + p.preprocessNanos();
            }
            running.add(scheduler.submit(members, readyAt));
        }
        for (int b = 0; b < cut.batches().size(); b++) {
            List<Integer> batch = cut.batches().get(b);
            List<Outcome> out = running.get(b).join();
            for (int k = 0; k < batch.size(); k++) {
                outcomes[readyIdx.get(batch.get(k))] = out.get(k);
            }
        }
        return List.of(outcomes);
    }

    private CompletableFuture<PreparedRequest> prepareAsync(InferenceRequest request) {
        try {
            return CompletableFuture.supplyAsync(() -> parts.preparer.prepare(request), preprocessPool);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(closedError());
        }
    }

    /** The failure of a request that does not fit the memory budget even alone. */
    private InferenceException refusal(PreparedRequest p) {
        long mb = (parts.estimator.bytes(List.of(p)) + (1 << 20) - 1) >> 20;
        return new InferenceException(InferenceException.Kind.IMAGE_TOO_LARGE, "request " + p.request().requestId()
                + " needs about " + mb + " MB of model memory, over the batch budget of " + (policy.maxMemoryBytes() >> 20) + " MB");
    }

    private static InferenceException closedError() {
        return new InferenceException(InferenceException.Kind.INFERENCE_FAILED, "engine is closed");
    }

    private static InferenceException asInferenceException(InferenceRequest request, Throwable t) {
        if (t instanceof InferenceException ie) {
            return ie;
        }
        return new InferenceException(InferenceException.Kind.INFERENCE_FAILED,
                "request " + request.requestId() + ": " + t, t);
    }

    @Override
    public int estimateImageTokens(InferenceRequest request) {
        return parts.preparer.estimateImageTokens(request);
    }

    @Override
    public String modelId() {
        return parts.folder.modelId();
    }

    @Override
    public String executionProvider() {
        return parts.sessions.runtime.providerChoice().label();
    }

    /** The model folder in use. */
    public ModelFolder folder() {
        return parts.folder;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // batches on board finish; queued ones fail as closed
        scheduler.close();
        // queued preparations still run (they are short), so no caller waits on a task that never starts
        preprocessPool.shutdown();
        try {
            preprocessPool.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        parts.close();
    }
}
