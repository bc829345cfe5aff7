package io.vlmstreams.topology.it;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

import io.vlmstreams.inference.engine.InferenceEngine;
import io.vlmstreams.devstack.kafka.EmbeddedKafkaCluster;
import io.vlmstreams.topology.app.EngineLoader;
import io.vlmstreams.topology.app.StreamsApp;
import io.vlmstreams.topology.config.AppConfig;
import io.vlmstreams.topology.config.ConfigSource;

/** The application in process on the tiny model, as the integration tests start it. */
public final class TestApp {

    private TestApp() {
    }

    /**
     * Settings every in-process test shares: the cluster's client properties (security included),
     * the registry's client configs, the tiny model on CPU, state under {@code stateDir}.
     */
    public static Map<String, String> baseSettings(EmbeddedKafkaCluster kafka, Map<String, Object> registryConfigs, Path stateDir,
                                            String applicationId) {
        Map<String, String> settings = new LinkedHashMap<>();
        kafka.clientProperties().forEach((k, v) -> settings.put(k, String.valueOf(v)));
        registryConfigs.forEach((k, v) -> settings.put(k, String.valueOf(v)));
        settings.putAll(Map.of("application.id", applicationId,
                "model.dir", TinyModelFolder.get().toString(), "engine.provider", "cpu",
                "state.dir", stateDir.toString()));
        return settings;
    }

    /** Opens the engine and starts the application; the caller closes it. */
    public static StreamsApp start(Map<String, String> settings) {
        return start(settings, UnaryOperator.identity());
    }

    /** Opens the engine, wraps it in {@code decorate} (a test seam around the real engine) and starts the application. */
    public static StreamsApp start(Map<String, String> settings, UnaryOperator<InferenceEngine> decorate) {
        AppConfig config = AppConfig.from(ConfigSource.of(settings));
        InferenceEngine engine = decorate.apply(EngineLoader.open(config.model()));
        StreamsApp app;
        try {
            app = new StreamsApp(config, engine);
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        app.start();
        return app;
    }
}
