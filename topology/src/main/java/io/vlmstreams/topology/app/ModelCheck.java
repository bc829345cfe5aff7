package io.vlmstreams.topology.app;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import io.vlmstreams.inference.model.ModelFolder;
import io.vlmstreams.topology.config.AppConfig;
import io.vlmstreams.topology.config.ModelConfig;
import org.apache.kafka.common.config.ConfigException;

/**
 * Checks, before the application starts, that the configured model folder is there and opens with the configured
 * dtype: {@code java -cp vlm-streams-app.jar io.vlmstreams.topology.app.ModelCheck [--config FILE] [KEY=VALUE ...]}
 * (the same arguments as {@link StreamsMain}). Compose runs it as a one-shot service the application depends on,
 * so an empty {@code ./models} stops {@code docker compose up} with one line saying what to download instead of
 * a restart loop. Exit codes: 0 ready, 2 a settings mistake, 3 no usable model.
 */
public final class ModelCheck {

    /** What to download when the folder is missing: the model {@code deploy/application.properties} names. */
    static final String SUGGESTED_REPO = "onnx-community/LFM2-VL-450M-ONNX";

    private ModelCheck() {
    }

    public static void main(String[] args) {
        System.exit(check(args, System.getenv(), System.out, System.err));
    }

    /** Runs the check; prints one line to {@code out} (ready) or {@code err} (what is wrong and what to do). */
    static int check(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        AppConfig app;
        try {
            app = AppConfig.from(StreamsMain.source(args, env));
        } catch (ConfigException | IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
        ModelConfig model = app.model();
        Path dir = model.dir();
        if (!Files.isDirectory(dir) || isEmpty(dir)) {
            String dtype = model.dtype() == null || model.dtype().isBlank() || model.dtype().equals("auto") ? "fp32" : model.dtype();
            err.println("error: no model at " + dir + " (model.dir; compose mounts ./models at /models): download one with "
                    + "./vlm-streams model download " + SUGGESTED_REPO + " --dtype " + dtype + " --out models/" + dir.getFileName()
                    + ", then start again");
            return 3;
        }
        try {
            ModelFolder folder = ModelFolder.open(dir, model.dtype());
            out.println("model ready: " + folder.modelId() + ", " + folder.selection().summary());
            return 0;
        } catch (RuntimeException e) {
            err.println("error: " + String.valueOf(e.getMessage()).replaceAll("\\s*\\R\\s*", " "));
            return 3;
        }
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> children = Files.list(dir)) {
            return children.findAny().isEmpty();
        } catch (IOException e) {
            return true;
        }
    }
}
