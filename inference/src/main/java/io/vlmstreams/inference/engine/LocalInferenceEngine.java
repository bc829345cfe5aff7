package io.vlmstreams.inference.engine;

import io.vlmstreams.inference.generate.BatchGenerator;
import io.vlmstreams.inference.generate.Classifier;
import io.vlmstreams.inference.generate.ContinuousBatch;
import io.vlmstreams.inference.generate.InputEmbedder;
import io.vlmstreams.inference.generate.PrefillGroups;
import io.vlmstreams.inference.image.ImageDecoder;
import io.vlmstreams.inference.image.ImageProcessor;
import io.vlmstreams.inference.image.ImageProcessorConfig;
import io.vlmstreams.inference.model.ModelFolder;
import io.vlmstreams.inference.onnx.OrtRuntime;
import io.vlmstreams.inference.text.PromptBuilder;
import io.vlmstreams.inference.text.SpecialTokens;
import io.vlmstreams.inference.text.TextTokenizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * {@link InferenceEngine} over a local ONNX model folder. Images are decoded and preprocessed on a
 * small thread pool ahead of the model. Model batches (cut by count, image tokens and memory) go to
 * one model thread that batches continuously ({@link DecodeScheduler}): a batch joins the running
 * decode between steps, whichever caller it comes from, and completes when its last sequence is
 * done. {@link #submit} queues to a worker thread that groups concurrent submissions into batches
 * (waiting at most {@link EngineConfig#batchWaitMillis()} for more); {@link #runBatch} plans the
 * given requests directly. Thread-safe.
 */
public final class LocalInferenceEngine implements InferenceEngine {

    private static final Logger LOG = LoggerFactory.getLogger(LocalInferenceEngine.class);

    private final EngineConfig config;
    private final ModelFolder folder;
    private final ModelSessions sessions;
    private final TextTokenizer tokenizer;
    private final RequestPreparer preparer;
    private final DecodeScheduler scheduler;
    private final BatchPlanner planner;
    private final MemoryBudget memory;
    private final EngineStats stats;
    private final ExecutorService preprocessPool;
    private final LinkedBlockingDeque<Pending> queue = new LinkedBlockingDeque<>();
    private final Thread worker;
    private volatile boolean closed;

    private LocalInferenceEngine(EngineConfig config, ModelFolder folder, ModelSessions sessions, TextTokenizer tokenizer,
                                 RequestPreparer preparer, BatchRunner runner, Supplier<ContinuousBatch<DecodeScheduler.Row>> batches,
                                 EngineStats stats) {
        this.config = config;
        this.stats = stats;
        this.folder = folder;
        this.sessions = sessions;
        this.tokenizer = tokenizer;
        this.preparer = preparer;
        this.planner = new BatchPlanner(config.maxBatchSize(), config.maxBatchImageTokens());
        this.memory = new MemoryBudget(new BatchMemoryEstimator(folder.config(), Float.BYTES), config.maxBatchMemoryMb());
        this.scheduler = new DecodeScheduler(runner, batches, config.maxBatchSize(), PrefillGroups.DEFAULT_MAX_PADDING_RATIO,
                together -> !memory.exceeds(together), true);
        AtomicInteger n = new AtomicInteger();
        this.preprocessPool = Executors.newFixedThreadPool(config.preprocessThreads(), r -> {
            Thread t = new Thread(r, "vlm-preprocess-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.worker = new Thread(this::workLoop, "vlm-batcher");
        this.worker.setDaemon(true);
        this.worker.start();
    }

    /** Opens the model folder and its sessions. */
    public static LocalInferenceEngine open(EngineConfig config) {
        ModelFolder folder = ModelFolder.open(config.modelDir(), config.dtype());
        TextTokenizer tokenizer = TextTokenizer.open(folder.tokenizerJson());
        ModelSessions sessions = null;
        try {
            PromptBuilder prompts = PromptBuilder.of(folder, tokenizer);
            SpecialTokens special = prompts.specialTokens();
            ImageProcessor processor = new ImageProcessor(ImageProcessorConfig.fromJson(folder.imageProcessorConfig()));
            RequestPreparer preparer = new RequestPreparer(new ImageDecoder(config.imageLimits()), processor, prompts, tokenizer);
            sessions = new ModelSessions(folder, new OrtRuntime(config.runtime()));
            InputEmbedder embedder = new InputEmbedder(sessions.embed, special.imageTokenId());
            long pad = special.padTokenId();
            int vocab = tokenizer.vocabSize(); // graphs may have more logits than the tokenizer has ids
            EngineStats stats = new EngineStats();
            BatchRunner runner = new BatchRunner(
                    new ImageEncoder(sessions.vision, config.maxEncoderTiles(), folder.config().vision().numAttentionHeads(),
                            ImageEncoder.DEFAULT_MAX_ATTENTION_BYTES),
                    new BatchGenerator(sessions.decoder, embedder, pad, vocab),
                    new Classifier(sessions.decoder, embedder, pad, vocab),
                    stopTokenIds(special, folder),
                    ids -> tokenizer.decode(ids, true),
                    stats, new BatchFaults(config.faultInjectRequestIds()));
            ModelSessions open = sessions;
            return new LocalInferenceEngine(config, folder, sessions, tokenizer, preparer, runner,
                    () -> new ContinuousBatch<>(open.decoder, embedder, pad, vocab), stats);
        } catch (RuntimeException e) {
            if (sessions != null) {
                sessions.close();
            }
            tokenizer.close();
            throw e;
        }
    }

    private static long[] stopTokenIds(SpecialTokens special, ModelFolder folder) {
        Set<Long> ids = new LinkedHashSet<>();
        special.stopTokenIds().forEach(i -> ids.add(i.longValue()));
        folder.generationConfig().eosTokenIds().forEach(i -> ids.add(i.longValue()));
        return ids.stream().mapToLong(Long::longValue).toArray();
    }

    /** The CPU side of a request (decoded, preprocessed, tokenized), e.g. to inspect or dump the model inputs. */
    public PreparedRequest prepare(InferenceRequest request) {
        return preparer.prepare(request);
    }

    /** Sequences in the running decode batch now, whichever callers they came from (a gauge). */
    public int decodingSequences() {
        return scheduler.rows();
    }

    /** Totals since the engine opened. */
    public EngineStats stats() {
        return stats;
    }

    @Override
    public CompletableFuture<InferenceResult> submit(InferenceRequest request) {
        CompletableFuture<InferenceResult> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(new InferenceException(InferenceException.Kind.INFERENCE_FAILED, "engine is closed"));
            return result;
        }
        long now = System.nanoTime();
        CompletableFuture<PreparedRequest> prepared = prepareAsync(request);
        queue.add(new Pending(request, prepared, result, now, preparer.estimateImageTokens(request)));
        return result;
    }

    @Override
    public List<Outcome> runBatch(List<InferenceRequest> requests) {
        if (closed) {
            return requests.stream().<Outcome>map(r -> new Outcome.Failure(r.requestId(),
                    new InferenceException(InferenceException.Kind.INFERENCE_FAILED, "engine is closed"))).toList();
        }
        long now = System.nanoTime();
        List<CompletableFuture<PreparedRequest>> prepared = new ArrayList<>();
        for (InferenceRequest r : requests) {
            prepared.add(prepareAsync(r));
        }
        long[] submitted = new long[requests.size()];
        Arrays.fill(submitted, now);
        return runPrepared(requests, prepared, submitted);
    }

    private CompletableFuture<PreparedRequest> prepareAsync(InferenceRequest request) {
        try {
            return CompletableFuture.supplyAsync(() -> preparer.prepare(request), preprocessPool);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new InferenceException(InferenceException.Kind.INFERENCE_FAILED, "engine is closed"));
        }
    }

    /** Waits for the preparations, runs the model batches, and returns one outcome per request in order. */
    private List<Outcome> runPrepared(List<InferenceRequest> requests, List<CompletableFuture<PreparedRequest>> prepared,
                                      long[] submitted) {
        Outcome[] outcomes = new Outcome[requests.size()];
        List<PreparedRequest> ready = new ArrayList<>();
        List<Integer> readyIdx = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            try {
                PreparedRequest p = prepared.get(i).join();
                stats.preprocessed(p.preprocessNanos());
                ready.add(p);
                readyIdx.add(i);
            } catch (CompletionException e) {
                outcomes[i] = new Outcome.Failure(requests.get(i).requestId(), asInferenceException(requests.get(i), e.getCause()));
            }
        }
        List<List<Integer>> planned = new ArrayList<>();
        for (List<Integer> batch : planner.plan(ready)) {
            for (List<Integer> fitting : memory.split(batch, ready)) {
                if (fitting.size() == 1 && memory.exceeds(List.of(ready.get(fitting.get(0))))) {
                    int i = readyIdx.get(fitting.get(0));
                    outcomes[i] = new Outcome.Failure(requests.get(i).requestId(), memory.refusal(ready.get(fitting.get(0))));
                } else {
                    planned.add(fitting);
                }
            }
        }
        List<CompletableFuture<List<Outcome>>> running = new ArrayList<>();
        for (List<Integer> batch : planned) {
            List<PreparedRequest> members = new ArrayList<>();
            long[] readyAt = new long[batch.size()];
            for (int j = 0; j < batch.size(); j++) {
                PreparedRequest p = ready.get(batch.get(j));
                members.add(p);
                readyAt[j] = submitted[readyIdx.get(batch.get(j))] + p.preprocessNanos();
            }
            running.add(scheduler.submit(members, readyAt));
        }
        for (int b = 0; b < planned.size(); b++) {
            List<Integer> batch = planned.get(b);
            List<Outcome> out = running.get(b).join();
            for (int j = 0; j < batch.size(); j++) {
                outcomes[readyIdx.get(batch.get(j))] = out.get(j);
            }
        }
        return List.of(outcomes);
    }

    private static InferenceException asInferenceException(InferenceRequest request, Throwable t) {
        if (t instanceof InferenceException ie) {
            return ie;
        }
        return new InferenceException(InferenceException.Kind.INFERENCE_FAILED,
                "request " + request.requestId() + ": " + t, t);
    }

    /** One submitted request waiting for the worker. */
    private record Pending(InferenceRequest request, CompletableFuture<PreparedRequest> prepared,
                           CompletableFuture<InferenceResult> result, long submittedNanos, int estimatedImageTokens) { }

    private void workLoop() {
        while (!closed) {
            List<Pending> group;
            try {
                group = nextGroup();
            } catch (InterruptedException e) {
                break;
            }
            if (group.isEmpty()) {
                continue;
            }
            try {
                List<InferenceRequest> requests = new ArrayList<>();
                List<CompletableFuture<PreparedRequest>> prepared = new ArrayList<>();
                long[] submitted = new long[group.size()];
                for (int i = 0; i < group.size(); i++) {
                    requests.add(group.get(i).request());
                    prepared.add(group.get(i).prepared());
                    submitted[i] = group.get(i).submittedNanos();
                }
                List<Outcome> outcomes = runPrepared(requests, prepared, submitted);
                for (int i = 0; i < group.size(); i++) {
                    complete(group.get(i).result(), outcomes.get(i));
                }
            } catch (RuntimeException e) {
                LOG.error("batch worker failed", e);
                for (Pending p : group) {
                    p.result().completeExceptionally(asInferenceException(p.request(), e));
                }
            }
        }
        failPending();
    }

    /** The first waiting request plus whatever arrives within the batching window, within count and token budget. */
    private List<Pending> nextGroup() throws InterruptedException {
        Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
        List<Pending> group = new ArrayList<>();
        if (first == null) {
            return group;
        }
        group.add(first);
        int tokens = first.estimatedImageTokens();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.batchWaitMillis());
        while (group.size() < config.maxBatchSize()) {
            long wait = deadline - System.nanoTime();
            Pending next = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
            if (next == null) {
                break;
            }
            if (tokens + next.estimatedImageTokens() > config.maxBatchImageTokens()) {
                queue.addFirst(next);
                break;
            }
            group.add(next);
            tokens += next.estimatedImageTokens();
        }
        return group;
    }

    private static void complete(CompletableFuture<InferenceResult> future, Outcome outcome) {
        if (outcome instanceof Outcome.Success s) {
            future.complete(s.result());
        } else if (outcome instanceof Outcome.Failure f) {
            future.completeExceptionally(f.error());
        }
    }

    private void failPending() {
        Pending p;
        while ((p = queue.poll()) != null) {
            p.result().completeExceptionally(new InferenceException(InferenceException.Kind.INFERENCE_FAILED, "engine is closed"));
        }
    }

    @Override
    public int estimateImageTokens(InferenceRequest request) {
        return preparer.estimateImageTokens(request);
    }

    @Override
    public String modelId() {
        return folder.modelId();
    }

    @Override
    public String executionProvider() {
        return sessions.runtime.providerChoice().label();
    }

    /** The model folder in use. */
    public ModelFolder folder() {
        return folder;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        worker.interrupt();
        // batches on board finish; queued ones fail as closed, which also frees the submit worker
        scheduler.close();
        try {
            worker.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failPending();
        // queued preparations still run (they are short), so no caller waits on a task that never starts
        preprocessPool.shutdown();
        try {
            preprocessPool.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sessions.close();
        tokenizer.close();
    }
}
