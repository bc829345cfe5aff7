package io.vlmstreams.topology.app;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import io.vlmstreams.inference.engine.InferenceEngine;
import io.vlmstreams.topology.config.AppConfig;
import io.vlmstreams.topology.config.ConfigSource;
import io.vlmstreams.topology.ops.OpsServer;
import io.vlmstreams.topology.ops.VlmMetrics;
import org.apache.kafka.common.config.ConfigException;
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
        AppConfig app;
        try {
            app = AppConfig.from(source(args, System.getenv()));
        } catch (ConfigException | IllegalArgumentException e) {
            // A settings mistake is the operator's to fix: the message names it, a stack trace would bury it.
            System.err.println("vlm-streams: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(run(app));
    }

    /**
     * The settings {@code args} and {@code env} describe: {@code --config FILE}, then the {@code VLM_*}
     * variables, then the {@code key=value} arguments, each winning over the one before.
     */
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
        return ConfigSource.layered(file != null ? ConfigSource.readFile(file) : Map.of(), env, overrides);
    }

    /** Runs the application {@code app} describes until it stops or the JVM is told to; returns the exit code. */
    public static int run(AppConfig app) throws InterruptedException {
        log.info("Configuration: {}", app);
        InferenceEngine engine = EngineLoader.open(app.model());
        VlmMetrics metrics = new VlmMetrics(app.latencySlos());
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
