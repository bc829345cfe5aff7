package io.vlmstreams.topology.config;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where the model is and how the engine runs it ({@code model.*}, {@code engine.*}; defaults and rules
 * in {@link Settings}).
 *
 * @param maxBatchMemoryMb     {@code engine.max.batch.memory.mb}: working-memory budget of one model
 *                             batch; larger batches are split before they run (0: no budget)
 * @param cpuArena             {@code engine.cpu.arena}: ONNX Runtime's CPU memory arena (default on;
 *                             off trades 3-4x slower vision encoding for RSS that falls after a peak)
 * @param memoryPattern        {@code engine.memory.pattern}: ONNX Runtime memory pattern planning
 *                             (default off: it keeps an extra block per input shape in the arena)
 * @param intraOpThreads       {@code engine.intra.op.threads}: ONNX Runtime threads inside one operator; by
 *                             default the cores the JVM sees, so ORT never sizes its pool from the host's
 *                             cores in a CPU-limited container
 * @param interOpThreads       {@code engine.inter.op.threads}: ONNX Runtime threads across operators; by
 *                             default 1: the graphs are sequential chains, a second pool would only contend
 *                             with the first and with the stream and preprocessing threads
 * @param spinWait             {@code engine.spin.wait}: ORT's idle threads spin (true, its default) or sleep
 * @param maxBatchSize         {@code engine.max.batch.size}: most sequences the model works on at once, the
 *                             running decode batch included, whichever pipelines and stream threads they come from
 * @param imageCacheBytes      {@code engine.image.cache.bytes}: vision features kept for reposted images (0: off)
 * @param cacheDir             {@code engine.cache.dir}: where self-check verdicts are kept across restarts; null: nowhere
 */
public record ModelConfig(Path dir, String dtype, String provider, int deviceId, int maxBatchMemoryMb,
                          boolean cpuArena, boolean memoryPattern,
                          int intraOpThreads, int interOpThreads, boolean spinWait, int maxBatchSize,
                          long imageCacheBytes, Path cacheDir) {

    /**
     * The engine settings of the application when only {@code model.dir} is given: what the command
     * line's engine options default to, so {@code infer} runs the model as {@code run} does.
     */
    public static ModelConfig defaults(Path dir) {
        return read(SettingValues.parse(Settings.MODEL, Map.of(Settings.MODEL_DIR, dir.toString()), ""));
    }

    static ModelConfig read(SettingValues v) {
        return new ModelConfig(Path.of(v.string(Settings.MODEL_DIR)), v.string(Settings.MODEL_DTYPE),
                v.string(Settings.ENGINE_PROVIDER), v.integer(Settings.ENGINE_DEVICE_ID),
                v.integer(Settings.ENGINE_MAX_BATCH_MEMORY_MB), v.bool(Settings.ENGINE_CPU_ARENA),
                v.bool(Settings.ENGINE_MEMORY_PATTERN), v.integer(Settings.ENGINE_INTRA_OP_THREADS),
                v.integer(Settings.ENGINE_INTER_OP_THREADS), v.bool(Settings.ENGINE_SPIN_WAIT),
                v.integer(Settings.ENGINE_MAX_BATCH_SIZE), v.longValue(Settings.ENGINE_IMAGE_CACHE_BYTES),
                cacheDir(v.string(Settings.ENGINE_CACHE_DIR)));
    }

    /** {@code engine.cache.dir} as a folder: empty is the user's cache folder, {@code none} is none. */
    static Path cacheDir(String setting) {
        if (setting.equalsIgnoreCase("none")) {
            return null;
        }
        if (!setting.isBlank()) {
            return Path.of(setting);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("vlm-streams");
    }
}
