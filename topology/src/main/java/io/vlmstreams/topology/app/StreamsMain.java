package io.vlmstreams.topology.app;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import io.vlmstreams.inference.engine.InferenceEngine;
import io.vlmstreams.topology.config.AppConfig;
import io.vlmstreams.topology.config.ConfigSource;
import io.vlmstreams.topology.ops.OpsServer;
import io.vlmstreams.topology.ops.VlmMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the production image runs: {@code java -jar vlm-streams-app.jar [--config FILE] [KEY=VALUE ...]}.
 * Settings come from the file, then {@code VLM_*} environment variables, then the arguments. The
 * application runs until SIGTERM / Ctrl-C: Streams closes (committing what it has done), then the
 * engine, then the ops endpoint that reported on them.
 */
public final class StreamsMain {

    private static final Logger log = LoggerFactory.getLogger(StreamsMain.class);

    private StreamsMain() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(source(args, System.getenv())));
    }

    /** The settings {@code args} and {@code env} describe: {@code --config FILE} and {@code key=value} pairs. */
    static ConfigSource source(String[] args, Map<String, String> env) {
        Path file = null;
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--config") && i + 1 < args.length) {
                file = Path.of(args[++i]);
            } else if (arg.indexOf('=') > 0 && !arg.startsWith("-")) {
                overrides.put(arg.substring(0, arg.indexOf('=')).trim(), arg.substring(arg.indexOf('=') + 1).trim());
            } else {
                throw new IllegalArgumentException("unexpected argument '" + arg + "': give [--config FILE] [key=value ...]");
            }
        }
        Map<String, String> values = new LinkedHashMap<>();
        if (file != null) {
            values.putAll(ConfigSource.load(file, env).asMap());
        } else {
            values.putAll(ConfigSource.withEnvironment(Map.of(), env).asMap());
        }
        values.putAll(overrides);
        return ConfigSource.of(values);
    }

    /** Runs the application described by {@code source} until it stops or the JVM is told to; returns the exit code. */
    public static int run(ConfigSource source) throws InterruptedException {
        AppConfig app = AppConfig.from(source);
        log.info("Configuration: {}", app);
        InferenceEngine engine = EngineLoader.open(app.model());
        VlmMetrics metrics = new VlmMetrics();
        StreamsApp streams;
        try {
            streams = new StreamsApp(app, engine, metrics);
        } catch (RuntimeException e) {
            engine.close();
            metrics.close();
            throw e;
        }
        OpsServer ops;
        try {
            ops = OpsServer.start(app.metricsPort(), metrics, streams.health());
        } catch (RuntimeException e) {
            streams.close();
            metrics.close();
            throw e;
        }
        // Streams first (it commits what it has done), then the endpoint that reported on it.
        Runnable stop = () -> {
            try {
                streams.close();
            } finally {
                ops.close();
                metrics.close();
            }
        };
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "vlm-streams-shutdown"));
        streams.start();
        streams.awaitStop();
        // Streams stopped on its own (not through the hook): release the engine too.
        stop.run();
        return 0;
    }
}
