package io.vlmstreams.topology.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.vlmstreams.inference.engine.InferenceEngine;
import io.vlmstreams.inference.engine.SwappableEngine;
import io.vlmstreams.inference.model.ModelFolder;
import io.vlmstreams.topology.check.StartupCheck;
import io.vlmstreams.topology.config.AppConfig;
import io.vlmstreams.topology.config.ConfigSource;
import io.vlmstreams.topology.config.ConfigSummary;
import io.vlmstreams.topology.config.Settings;
import io.vlmstreams.topology.ops.StreamsHealth;
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

    /** Exit code of a settings or argument mistake. */
    public static final int EXIT_USAGE = 2;

    /** Exit code when the start-up check finds the brokers, the registry or a topic not ready. */
    public static final int EXIT_NOT_READY = 3;

    private StreamsMain() {
    }

    public static void main(String[] args) throws Exception {
        AppConfig app;
        try {
            app = AppConfig.from(source(args, System.getenv()));
        } catch (ConfigException | IllegalArgumentException e) {
            // A settings mistake is the operator's to fix: the message names it, a stack trace would bury it.
            System.err.println("error: " + e.getMessage());
            System.exit(EXIT_USAGE);
            return;
        }
        try {
            System.exit(run(app));
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            // A wrong model folder (or file) is the operator's to fix too.
            System.err.println("error: " + String.valueOf(e.getMessage()).replaceAll("\\s*\\R\\s*", " "));
            System.exit(EXIT_USAGE);
        }
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

    /**
     * Runs the application {@code app} describes until it stops or the JVM is told to; returns the exit code.
     * Cheap checks come first: the model folder is read (configs, no weights), then the brokers, topics and
     * registry are checked ({@link StartupCheck}), each problem one {@code error:} line on stderr, and only
     * then is the model loaded.
     *
     * @throws IllegalArgumentException when the model folder is not a model (the message says why)
     */
    public static int run(AppConfig app) throws InterruptedException {
        log.info("Configuration: {}", ConfigSummary.line(app));
        // the folder the engine will start on: model.dir.file wins over model.dir
        SwappableEngine.ModelChoice first = ModelControl.startingModel(app);
        ModelFolder starting = ModelFolder.open(first.dir(), first.dtype());
        List<String> problems = StartupCheck.problems(app);
        if (!problems.isEmpty()) {
            problems.forEach(p -> System.err.println("error: " + p));
            System.err.flush();
            return EXIT_NOT_READY;
        }
        ShutdownSequence stop = new ShutdownSequence(System.err);
        Path stateDir = Path.of(String.valueOf(app.kafkaSettings().get(Settings.STATE_DIR)));
        boolean createdStateDir = !Files.exists(stateDir);
        StreamsHealth[] health = new StreamsHealth[1];
        // Added first, so it runs last: a state folder this run made and never used is not left behind.
        stop.add("state directory", () -> {
            if (createdStateDir && (health[0] == null || !health[0].wasRunning())) {
                StateFolders.deleteRecursively(stateDir);
            }
        });
        try {
            stop.phase("loading the model");
            log.info("Loading the model from {} ...", app.model().dir());
            InferenceEngine engine = ModelControl.openEngine(app, first, starting);
            VlmMetrics metrics = new VlmMetrics(app.latencySlos());
            if (!stop.add("metrics", metrics) || !stop.add("engine", engine)) {
                engine.close();
                metrics.close();
                return 0;
            }
            stop.phase("starting Kafka Streams");
            StreamsApp streams = new StreamsApp(app, engine, metrics);
            health[0] = streams.health();
            // Streams first (it commits what it has done), then the endpoint that reported on it: added last.
            OpsServer ops = OpsServer.start(app.metricsPort(), metrics, streams.health());
            streams.liveView().ifPresent(view -> {
                view.mount(ops);
                log.info("Live view on {} (answers connections to ui.bind.address={})", ops.url().resolve("ui/"),
                        app.ui().bindAddress());
            });
            if (!stop.add("ops endpoint", ops) || !stop.add("application", streams)) {
                streams.close();
                ops.close();
                return 0;
            }
            // added last, so it stops first: no model swap starts once stopping
            ModelControl control = ModelControl.start(app, engine, metrics);
            if (!stop.add("model control", control)) {
                control.close();
                return 0;
            }
            streams.start();
            stop.phase("running");
            streams.awaitStop();
        } catch (RuntimeException | Error e) {
            // Not a signal: close what was opened without the hook's "stopping" line.
            stop.finish();
            throw e;
        }
        // Streams stopped on its own (not through the hook): release the engine too.
        stop.finish();
        return 0;
    }
}
