package io.vlmstreams.topology.app;

import java.io.IOException;
import java.io.UncheckedIOException;

import io.vlmstreams.inference.engine.InferenceEngine;
import io.vlmstreams.inference.engine.SwappableEngine;
import io.vlmstreams.inference.model.ModelFolder;
import io.vlmstreams.topology.config.AdminConfig;
import io.vlmstreams.topology.config.AppConfig;
import io.vlmstreams.topology.ops.AdminServer;
import io.vlmstreams.topology.ops.ModelSwapMetrics;
import io.vlmstreams.topology.ops.VlmMetrics;

/**
 * What swaps the model of a running application: the admin endpoint ({@code admin.enabled}) and the
 * watched {@code model.dir.file}. With neither configured the engine is a plain one and nothing here runs.
 */
public final class ModelControl implements AutoCloseable {

    private final AdminServer server;
    private final ModelDirFile watcher;

    private ModelControl(AdminServer server, ModelDirFile watcher) {
        this.server = server;
        this.watcher = watcher;
    }

    /** The engine {@code app} asks for: swappable when a swap can be requested, starting on what {@code model.dir.file} names (else {@code model.dir}). */
    public static InferenceEngine openEngine(AppConfig app) {
        AdminConfig admin = app.admin();
        if (!admin.enabled() && admin.modelDirFile() == null) {
            return EngineLoader.open(app.model());
        }
        return EngineLoader.swappable(app.model(), startingModel(app));
    }

    /**
     * As {@link #openEngine(AppConfig)}, starting on {@code first} (what {@link #startingModel} returned) from
     * {@code starting}, that folder already read (by the start-up check) with its dtype.
     */
    public static InferenceEngine openEngine(AppConfig app, SwappableEngine.ModelChoice first, ModelFolder starting) {
        AdminConfig admin = app.admin();
        if (!admin.enabled() && admin.modelDirFile() == null) {
            return EngineLoader.open(app.model(), starting);
        }
        return EngineLoader.swappable(app.model(), first, starting);
    }

    /** The folder and dtype the engine starts on: what {@code model.dir.file} names, else {@code model.dir}. */
    public static SwappableEngine.ModelChoice startingModel(AppConfig app) {
        SwappableEngine.ModelChoice configured = new SwappableEngine.ModelChoice(app.model().dir().toAbsolutePath().normalize(),
                app.model().dtype());
        if (app.admin().modelDirFile() == null) {
            return configured;
        }
        try {
            SwappableEngine.ModelChoice named = ModelDirFile.read(app.admin().modelDirFile(), app.model().dtype());
            return named != null ? named : configured;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model.dir.file " + app.admin().modelDirFile() + ": " + e.getMessage(), e);
        }
    }

    /** Starts the endpoint and the file watch {@code app} configures around {@code engine}, and their meters. */
    public static ModelControl start(AppConfig app, InferenceEngine engine, VlmMetrics metrics) {
        if (!(engine instanceof SwappableEngine swappable)) {
            return new ModelControl(null, null);
        }
        ModelSwapMetrics.bind(metrics.registry(), swappable);
        AdminConfig admin = app.admin();
        AdminServer server = admin.enabled() ? AdminServer.start(admin, swappable) : null;
        ModelDirFile watcher = admin.modelDirFile() == null ? null
                : ModelDirFile.watch(admin, swappable, app.model().dtype());
        return new ModelControl(server, watcher);
    }

    /** The admin endpoint, or null when {@code admin.enabled} is false. */
    public AdminServer server() {
        return server;
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
        if (server != null) {
            server.close();
        }
    }
}
