package io.vlmstreams.inference.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vlmstreams.inference.model.ModelFolder;
import io.vlmstreams.inference.onnx.OrtRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The batch self-check's verdicts, kept on disk so that a restart on the same graphs, the same ONNX
 * Runtime and the same CPU reuses the plan instead of checking again (several seconds on a
 * 450M-parameter model). A verdict is keyed by everything that decides batch invariance: each graph
 * file and its external data (path, size, modification time), the ONNX Runtime build, the execution
 * provider and thread count, the CPU model and its instruction set, and the check's own version; any
 * change to one of them misses the cache and the check runs again. Unreadable entries are ignored;
 * a cache that cannot be written is logged once and skipped: it never stops the engine.
 */
final class SelfCheckCache {

    private static final Logger LOG = LoggerFactory.getLogger(SelfCheckCache.class);
    /** Bumped whenever {@link BatchSelfCheck} checks something new, so older verdicts are not trusted. */
    // 2: right-padded decode sharing added, so earlier verdicts may be needlessly strict
    static final int CHECK_VERSION = 2;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;

    SelfCheckCache(Path dir) {
        this.dir = dir.resolve("self-check");
    }

    /** The key of {@code folder}'s graphs on {@code runtime}. */
    static String key(ModelFolder folder, OrtRuntime runtime) {
        List<String> parts = new ArrayList<>();
        parts.add("check " + CHECK_VERSION);
        parts.add("ort " + runtime.env().getVersion());
        parts.add("provider " + runtime.providerChoice().label());
        parts.add("threads " + runtime.config().intraOpThreads() + "/" + runtime.config().interOpThreads());
        parts.add("optimization " + runtime.config().optimizationLevel());
        parts.add("cpu " + CpuIdentity.describe());
        folder.graphs().values().stream().sorted().forEach(graph -> parts.addAll(fileStamps(graph)));
        return sha256(String.join("\n", parts));
    }

    /** The verdict stored for {@code key}, if any readable one is. */
    Optional<BatchingPlan> find(String key) {
        Path file = dir.resolve(key + ".json");
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode n = JSON.readTree(file.toFile());
            return Optional.of(new BatchingPlan(BatchingPlan.DecodeSharing.valueOf(n.path("decode").asText()),
                    BatchingPlan.VisionSharing.valueOf(n.path("vision").asText()), n.path("basis").asText()));
        } catch (IOException | IllegalArgumentException e) {
            LOG.info("Ignoring unreadable self-check verdict {} ({})", file, e.getMessage());
            return Optional.empty();
        }
    }

    /** Keeps {@code plan} for {@code key}; written to a temporary file and renamed, so readers never see half of it. */
    void store(String key, BatchingPlan plan) {
        try {
            Files.createDirectories(dir);
            ObjectNode n = JSON.createObjectNode();
            n.put("decode", plan.decode().name());
            n.put("vision", plan.vision().name());
            n.put("basis", plan.basis());
            Path tmp = Files.createTempFile(dir, key, ".tmp");
            Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n), StandardCharsets.UTF_8);
            try {
                Files.move(tmp, dir.resolve(key + ".json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dir.resolve(key + ".json"), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | UnsupportedOperationException e) {
            LOG.info("Not keeping the self-check verdict under {} ({}); the next start checks again", dir, e.getMessage());
        }
    }

    Path dir() {
        return dir;
    }

    /** Path, size and modification time of {@code graph} and of every file beside it whose name extends it (external data). */
    private static List<String> fileStamps(Path graph) {
        Path parent = graph.toAbsolutePath().getParent();
        String name = graph.getFileName().toString();
        try (Stream<Path> siblings = Files.list(parent)) {
            return siblings.filter(p -> p.getFileName().toString().startsWith(name)).sorted().map(SelfCheckCache::stamp).toList();
        } catch (IOException e) {
            return List.of(stamp(graph));
        }
    }

    private static String stamp(Path file) {
        try {
            return file.toAbsolutePath() + " " + Files.size(file) + " " + Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return file.toAbsolutePath() + " unreadable";
        }
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
