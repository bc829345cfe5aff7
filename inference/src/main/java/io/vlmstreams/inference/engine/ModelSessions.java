package io.vlmstreams.inference.engine;

import io.vlmstreams.inference.model.ModelFolder;
import io.vlmstreams.inference.onnx.DecoderSession;
import io.vlmstreams.inference.onnx.EmbedTokensSession;
import io.vlmstreams.inference.onnx.OrtRuntime;
import io.vlmstreams.inference.onnx.ProjectorSession;
import io.vlmstreams.inference.onnx.VisionEncoderSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The ONNX sessions of one model folder, opened on one runtime; closed together. The graphs are
 * opened side by side: creating a session is mostly single-threaded work (reading weights, graph
 * rewrites, pre-packing), so on a machine with several cores the decoder and the vision encoder
 * load in about the time of the larger one.
 */
final class ModelSessions implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelSessions.class);

    final OrtRuntime runtime;
    final VisionEncoderSession vision;
    final EmbedTokensSession embed;
    final DecoderSession decoder;
    private final ProjectorSession projector;

    ModelSessions(ModelFolder folder, OrtRuntime runtime) {
        this.runtime = runtime;
        long start = System.nanoTime();
        int threads = Math.max(1, Math.min(3, Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "vlm-session-open");
            t.setDaemon(true);
            return t;
        });
        List<CompletableFuture<? extends AutoCloseable>> opening = new ArrayList<>();
        try {
            CompletableFuture<DecoderSession> d = open(opening, pool, () -> new DecoderSession(runtime, folder.decoder()));
            CompletableFuture<ProjectorSession> p = open(opening, pool,
                    () -> folder.projector().map(path -> new ProjectorSession(runtime, path)).orElse(null));
            CompletableFuture<VisionEncoderSession> v = p.thenApplyAsync(
                    projectorSession -> new VisionEncoderSession(runtime, folder.visionEncoder(), projectorSession), pool);
            opening.add(v);
            CompletableFuture<EmbedTokensSession> e = open(opening, pool, () -> new EmbedTokensSession(runtime, folder.embedTokens()));
            CompletableFuture.allOf(opening.toArray(CompletableFuture[]::new)).join();
            this.decoder = d.join();
            this.vision = v.join();
            this.projector = p.join();
            this.embed = e.join();
        } catch (CompletionException ex) {
            closeOpened(opening);
            throw ex.getCause() instanceof RuntimeException re ? re : new IllegalStateException(ex.getCause());
        } finally {
            pool.shutdown();
        }
        LOG.info("Opened the sessions of {} in {} ms ({} side by side)", folder.modelId(),
                (System.nanoTime() - start) / 1_000_000, threads);
    }

    private static <T extends AutoCloseable> CompletableFuture<T> open(List<CompletableFuture<? extends AutoCloseable>> opening,
                                                                       ExecutorService pool, Supplier<T> opener) {
        CompletableFuture<T> f = CompletableFuture.supplyAsync(opener, pool);
        opening.add(f);
        return f;
    }

    /** Waits for every open still under way (an error in one must not leak the others) and closes what opened. */
    private static void closeOpened(List<CompletableFuture<? extends AutoCloseable>> opening) {
        for (CompletableFuture<? extends AutoCloseable> f : opening) {
            try {
                closeQuietly(f.join());
            } catch (CompletionException failed) {
                // this one did not open
            }
        }
    }

    @Override
    public void close() {
        for (AutoCloseable c : new AutoCloseable[]{decoder, embed, vision, projector}) {
            closeQuietly(c);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception ignored) {
            // best effort while tearing down
        }
    }
}
