package io.vlmstreams.topology.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.vlmstreams.inference.engine.SwappableEngine;
import io.vlmstreams.topology.config.AdminConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The watched file naming the model folder ({@code model.dir.file}): its first line is the folder, an
 * optional second line the dtype. It is read every {@code model.dir.file.poll.ms}; when what it names
 * changes, the model is swapped. Reading the content (not waiting for file events) also sees the
 * symlink flips of mounted config maps, and writers rename a finished file into place, so a half
 * written one is never read.
 */
public final class ModelDirFile implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ModelDirFile.class);

    private final Path file;
    private final AdminConfig admin;
    private final SwappableEngine engine;
    private final String defaultDtype;
    private final ScheduledExecutorService timer;
    private SwappableEngine.ModelChoice lastSeen;

    private ModelDirFile(AdminConfig admin, SwappableEngine engine, String defaultDtype, SwappableEngine.ModelChoice initial) {
        this.file = admin.modelDirFile();
        this.admin = admin;
        this.engine = engine;
        this.defaultDtype = defaultDtype;
        this.lastSeen = initial;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vlm-model-dir-file");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Watches {@code admin.modelDirFile()} for a change from what it names now (absent counts: a file
     * that appears later is a change, even naming the first folder after the endpoint swapped away).
     */
    public static ModelDirFile watch(AdminConfig admin, SwappableEngine engine, String defaultDtype) {
        SwappableEngine.ModelChoice initial;
        try {
            initial = read(admin.modelDirFile(), defaultDtype);
        } catch (IOException e) {
            initial = null;
        }
        ModelDirFile watcher = new ModelDirFile(admin, engine, defaultDtype, initial);
        long ms = admin.pollInterval().toMillis();
        watcher.timer.scheduleWithFixedDelay(watcher::poll, ms, ms, TimeUnit.MILLISECONDS);
        log.info("Watching {} for the model folder", watcher.file);
        return watcher;
    }

    /** What {@code file} names, or null when it is absent or empty. */
    public static SwappableEngine.ModelChoice read(Path file, String defaultDtype) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::trim).filter(l -> !l.isEmpty()).toList();
        } catch (NoSuchFileException e) {
            return null;
        }
        if (lines.isEmpty()) {
            return null;
        }
        Path dir = file.toAbsolutePath().getParent().resolve(lines.get(0)).normalize();
        return new SwappableEngine.ModelChoice(dir, lines.size() > 1 ? lines.get(1) : defaultDtype);
    }

    private void poll() {
        try {
            SwappableEngine.ModelChoice named = read(file, defaultDtype);
            if (named == null || Objects.equals(named, lastSeen)) {
                return;
            }
            lastSeen = named;
            if (!admin.allows(named.dir())) {
                log.warn("{} names {}, outside admin.model.roots {}: not loaded", file, named.dir(), admin.modelRoots());
                return;
            }
            log.info("{} now names {} (dtype {}): swapping", file, named.dir(), named.dtype());
            SwappableEngine.SwapResult result = engine.swap(named).join();
            if (!result.swapped()) {
                log.warn("{}: swap to {} did not take effect: {}", file, named.dir(), result.error());
            }
        } catch (IOException | RuntimeException e) {
            log.warn("cannot read {}: {}", file, e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
