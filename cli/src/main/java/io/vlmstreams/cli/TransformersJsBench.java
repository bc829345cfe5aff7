package io.vlmstreams.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vlmstreams.inference.model.ModelFolder;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code reference/bench.mjs} (transformers.js 4.3.1 under node) on the same model folder and
 * images as the Java benchmark and reads back its timings, so both sides are measured in one
 * command on one machine.
 */
public final class TransformersJsBench {

    /** transformers.js figures: preprocessing (read + processor()) and generation (processor() + generate(), batch 1). */
    public record Result(int processedImages, double processorMillis, int generatedImages, double generateMillis,
                         long generatedTokens) {

        public double processorImagesPerSecond() {
            return processedImages / (processorMillis / 1000);
        }

        public double generateImagesPerSecond() {
            return generatedImages == 0 ? 0 : generatedImages / (generateMillis / 1000);
        }
    }

    private final Path referenceDir;

    private TransformersJsBench(Path referenceDir) {
        this.referenceDir = referenceDir;
    }

    /** The runner when {@code node} and {@code reference/node_modules} are both present. */
    public static Optional<TransformersJsBench> locate(Path projectDir) {
        Path ref = projectDir.resolve("reference");
        if (!Files.isRegularFile(ref.resolve("bench.mjs")) || !Files.isDirectory(ref.resolve("node_modules")) || !nodeRuns()) {
            return Optional.empty();
        }
        return Optional.of(new TransformersJsBench(ref));
    }

    /**
     * The runner for a benchmark's {@code --compare-transformers-js} option: empty when the option is
     * false, or when it is unset and node or {@code reference/node_modules} is missing (saying so on
     * {@code out}); throws when it is true and they are missing. The project is {@code vlm.project.dir}.
     */
    public static Optional<TransformersJsBench> forComparison(Boolean requested, PrintStream out) {
        if (Boolean.FALSE.equals(requested)) {
            return Optional.empty();
        }
        Optional<TransformersJsBench> tjs = locate(Path.of(System.getProperty("vlm.project.dir", ".")));
        if (tjs.isEmpty()) {
            if (Boolean.TRUE.equals(requested)) {
                throw new IllegalStateException("--compare-transformers-js needs node and reference/node_modules"
                        + " (cd reference && npm ci --ignore-scripts)");
            }
            out.println("transformers.js comparison skipped: node or reference/node_modules missing");
        }
        return tjs;
    }

    /** True when a {@code node} executable answers {@code --version} (the reference runner needs it). */
    public static boolean nodeRuns() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Times transformers.js on {@code images} with the graph files the engine opens for {@code dtype}
     * (each graph's precision passed by name, {@link #sessionDtypes}): processor() {@code processorRounds}
     * times over all of them and, unless {@code processorOnly}, one greedy generate() of
     * {@code maxNewTokens} per image.
     */
    public Result run(Path modelDir, String dtype, List<Path> images, int maxNewTokens, int processorRounds,
                      boolean processorOnly) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("node", referenceDir.resolve("bench.mjs").toString(),
                modelDir.toAbsolutePath().toString(), Integer.toString(maxNewTokens), Integer.toString(processorRounds)));
        if (processorOnly) {
            cmd.add("--processor-only");
        }
        images.forEach(p -> cmd.add(p.toAbsolutePath().toString()));
        Path err = Files.createTempFile("tjs-bench", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile());
            pb.environment().put("TJS_DTYPE", sessionDtypes(modelDir, dtype));
            Process p = pb.start();
            String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int rc = p.waitFor();
            if (rc != 0) {
                throw new IOException("reference/bench.mjs exited " + rc + ": " + tail(Files.readString(err)));
            }
            return parse(stdout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running transformers.js", e);
        } finally {
            Files.deleteIfExists(err);
        }
    }

    /**
     * transformers.js's {@code dtype} option for the files the engine opens in {@code modelDir} for
     * {@code dtype}: a JSON object from session name to precision, e.g. a liquid folder's q4 graphs
     * beside its fp32 {@code embed_tokens}. Precisions are passed by transformers.js's names; a liquid
     * folder's {@code _q8} files (transformers.js looks for {@code _quantized}) and float16 graph inputs
     * are handled by {@code reference/folder.mjs}'s hooks, so every precision the engine opens compares.
     */
    public static String sessionDtypes(Path modelDir, String dtype) {
        Map<String, String> perSession = new java.util.LinkedHashMap<>();
        ModelFolder.open(modelDir, dtype).graphDtypes().forEach((graph, d) -> perSession.put(graph.stem(), d.label()));
        try {
            return new ObjectMapper().writeValueAsString(perSession);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Result parse(String stdout) throws IOException {
        String last = stdout.strip();
        last = last.substring(last.lastIndexOf('\n') + 1);
        JsonNode root = new ObjectMapper().readTree(last);
        JsonNode proc = root.path("processor");
        JsonNode gen = root.path("generate");
        long tokens = 0;
        for (JsonNode img : gen.path("per_image")) {
            tokens += img.path("new_tokens").asLong();
        }
        return new Result(proc.path("images").asInt(), proc.path("total_ms").asDouble(),
                gen.path("images").asInt(0), gen.path("total_ms").asDouble(0), tokens);
    }

    private static String tail(String s) {
        return s.length() <= 2000 ? s : s.substring(s.length() - 2000);
    }
}
