package io.vlmstreams.inference.engine;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link InferenceEngine} whose model can be replaced while it serves. A swap loads the new
 * folder in the background (its load-time {@link BatchSelfCheck} included), runs the {@link Canary}
 * on it, and only then makes it current: calls that start afterwards go to the new model, calls
 * already running finish on the old one (their decoding sequences hold caches of that model, which
 * cannot move), and the old model closes when its last call returns. A load or canary failure keeps
 * the old model serving and is returned, logged and counted. Thread-safe.
 */
public final class SwappableEngine implements InferenceEngine {

    private static final Logger log = LoggerFactory.getLogger(SwappableEngine.class);

    /** A model folder and the graph variant to load from it. */
    public record ModelChoice(Path dir, String dtype) {
        public ModelChoice {
            Objects.requireNonNull(dir, "dir");
            Objects.requireNonNull(dtype, "dtype");
        }
    }

    /** Opens an engine on a folder; throws when the folder cannot be loaded. */
    @FunctionalInterface
    public interface Loader {
        InferenceEngine open(ModelChoice choice);
    }

    /** Whether a swap is under way. */
    public enum State { SERVING, LOADING }

    /**
     * What serves now.
     *
     * @param dtype     the variant in use (resolved from {@code auto} where the engine says)
     * @param lastError why the last swap failed, or null when it did not
     */
    public record Status(String modelId, Path dir, String dtype, State state, String lastError) { }

    /** How a swap ended: {@code swapped}, or refused/failed with {@code error}; {@code status} is what serves after it. */
    public record SwapResult(boolean swapped, Status status, String error) { }

    /** One loaded model and the calls running on it. */
    private static final class Lease {
        final InferenceEngine engine;
        final ModelChoice choice;
        int users;
        boolean retired;

        Lease(InferenceEngine engine, ModelChoice choice) {
            this.engine = engine;
            this.choice = choice;
        }
    }

    private final Loader loader;
    private final Object lock = new Object();
    private final AtomicBoolean loading = new AtomicBoolean();
    private final AtomicLong swaps = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicInteger draining = new AtomicInteger();
    private final ExecutorService background;
    private Lease current;
    private boolean closed;
    private volatile String lastError;

    private SwappableEngine(Loader loader, Lease first) {
        this.loader = loader;
        this.current = first;
        this.background = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "vlm-model-swap");
            t.setDaemon(true);
            return t;
        });
    }

    /** Opens {@code first} with {@code loader} (a failure here fails the start: there is nothing to keep serving). */
    public static SwappableEngine open(Loader loader, ModelChoice first) {
        return new SwappableEngine(loader, new Lease(loader.open(first), first));
    }

    /**
     * Starts replacing the model with {@code next}; the future completes when the new model serves or
     * the attempt failed. One swap at a time: a second one while one loads is refused at once.
     */
    public CompletableFuture<SwapResult> swap(ModelChoice next) {
        if (!loading.compareAndSet(false, true)) {
            return CompletableFuture.completedFuture(new SwapResult(false, status(), "a model swap is already in progress"));
        }
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return load(next);
                } finally {
                    loading.set(false);
                }
            }, background);
        } catch (RejectedExecutionException e) {
            loading.set(false);
            return CompletableFuture.completedFuture(new SwapResult(false, status(), "engine is closed"));
        }
    }

    private SwapResult load(ModelChoice next) {
        long started = System.nanoTime();
        log.info("Model swap: loading {} (dtype {})", next.dir(), next.dtype());
        InferenceEngine fresh;
        try {
            fresh = loader.open(next);
        } catch (RuntimeException e) {
            return failed(next, "cannot load " + next.dir() + ": " + e.getMessage());
        }
        try {
            Canary.check(fresh, next.dir());
        } catch (RuntimeException e) {
            fresh.close();
            return failed(next, "canary failed on " + next.dir() + ": " + e.getMessage());
        }
        Lease old;
        synchronized (lock) {
            if (closed) {
                fresh.close();
                return failed(next, "engine is closed");
            }
            old = current;
            current = new Lease(fresh, next);
            old.retired = true;
            draining.incrementAndGet();
            if (old.users > 0) {
                old = null; // its last call closes it
            }
        }
        if (old != null) {
            closeRetired(old);
        }
        lastError = null;
        swaps.incrementAndGet();
        log.info("Model swap: {} serves now ({} ms to load and pass the canary)", fresh.modelId(),
                (System.nanoTime() - started) / 1_000_000);
        return new SwapResult(true, status(), null);
    }

    private SwapResult failed(ModelChoice next, String error) {
        lastError = error;
        failures.incrementAndGet();
        log.warn("Model swap to {} failed; {} keeps serving: {}", next.dir(), modelId(), error);
        return new SwapResult(false, status(), error);
    }

    /** What serves now, and whether a swap is loading. */
    public Status status() {
        Lease l;
        synchronized (lock) {
            l = current;
        }
        String dtype = l.engine instanceof LocalInferenceEngine local ? String.valueOf(local.folder().dtype()) : l.choice.dtype();
        return new Status(l.engine.modelId(), l.choice.dir(), dtype, loading.get() ? State.LOADING : State.SERVING, lastError);
    }

    /** Swaps that took effect since the engine opened. */
    public long swapsSucceeded() {
        return swaps.get();
    }

    /** Swaps that failed (load or canary) since the engine opened. */
    public long swapsFailed() {
        return failures.get();
    }

    /** Replaced models still finishing their calls (a gauge). */
    public int drainingModels() {
        return draining.get();
    }

    /** Sequences decoding on the current model, when it says. */
    public int decodingSequences() {
        Lease l;
        synchronized (lock) {
            l = current;
        }
        return l.engine instanceof LocalInferenceEngine local ? local.decodingSequences() : 0;
    }

    @Override
    public List<Outcome> runBatch(List<InferenceRequest> requests) {
        return answer(requests).outcomes();
    }

    @Override
    public AnsweredBatch answer(List<InferenceRequest> requests) {
        Lease l = acquire();
        try {
            return new AnsweredBatch(l.engine.modelId(), l.engine.runBatch(requests));
        } finally {
            release(l);
        }
    }

    @Override
    public int estimateImageTokens(InferenceRequest request) {
        Lease l = acquire();
        try {
            return l.engine.estimateImageTokens(request);
        } finally {
            release(l);
        }
    }

    @Override
    public String modelId() {
        synchronized (lock) {
            return current.engine.modelId();
        }
    }

    @Override
    public String executionProvider() {
        synchronized (lock) {
            return current.engine.executionProvider();
        }
    }

    private Lease acquire() {
        synchronized (lock) {
            current.users++;
            return current;
        }
    }

    private void release(Lease l) {
        synchronized (lock) {
            l.users--;
            if (!l.retired || l.users > 0) {
                return;
            }
        }
        closeRetired(l);
    }

    private void closeRetired(Lease l) {
        try {
            l.engine.close();
            log.info("Model swap: {} closed after its last call", l.engine.modelId());
        } catch (RuntimeException e) {
            log.warn("Model swap: closing {} failed", l.engine.modelId(), e);
        } finally {
            draining.decrementAndGet();
        }
    }

    @Override
    public void close() {
        Lease l;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            l = current;
            l.retired = true;
            draining.incrementAndGet();
            if (l.users > 0) {
                l = null;
            }
        }
        background.shutdown();
        if (l != null) {
            closeRetired(l);
        }
    }
}
