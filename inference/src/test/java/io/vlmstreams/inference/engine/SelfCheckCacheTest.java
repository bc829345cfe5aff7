package io.vlmstreams.inference.engine;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A restart on the same graphs reuses the self-check's verdict; any change to a graph file checks again. */
class SelfCheckCacheTest {

    @TempDir
    static Path tmp;
    static Path model;

    @BeforeAll
    static void copyModel() throws IOException {
        model = TinyModel.onnxFolderCopy(tmp.resolve("model"));
    }

    private static BatchingPlan open(Path cache) {
        try (LocalInferenceEngine engine = LocalInferenceEngine.open(EngineConfig.defaults(model).withCacheDir(cache))) {
            return engine.batchingPlan();
        }
    }

    private static List<Path> verdicts(Path cache) throws IOException {
        try (Stream<Path> s = Files.list(cache.resolve("self-check"))) {
            return s.filter(p -> p.toString().endsWith(".json")).toList();
        }
    }

    @Test
    void secondStartReusesTheVerdictAndAChangedGraphChecksAgain() throws IOException {
        Path cache = tmp.resolve("cache-a");
        BatchingPlan first = open(cache);
        assertTrue(first.basis().contains("self-check passed"), first.basis());
        assertFalse(first.basis().contains("verdict kept"), first.basis());
        assertEquals(1, verdicts(cache).size());

        BatchingPlan second = open(cache);
        assertEquals(first.decode(), second.decode());
        assertEquals(first.vision(), second.vision());
        assertTrue(second.basis().contains("verdict kept in"), second.basis());

        Path decoder = model.resolve("onnx/decoder_model_merged.onnx");
        Files.setLastModifiedTime(decoder, FileTime.fromMillis(Files.getLastModifiedTime(decoder).toMillis() + 60_000));
        BatchingPlan third = open(cache);
        assertFalse(third.basis().contains("verdict kept"), "a changed decoder must be checked again: " + third.basis());
        assertEquals(2, verdicts(cache).size());
    }

    @Test
    void anUnreadableVerdictIsCheckedAgainAndReplaced() throws IOException {
        Path cache = tmp.resolve("cache-b");
        open(cache);
        Path verdict = verdicts(cache).get(0);
        Files.writeString(verdict, "{\"decode\": \"SOMETIMES\"");
        BatchingPlan again = open(cache);
        assertFalse(again.basis().contains("verdict kept"), again.basis());
        assertTrue(Files.readString(verdict).contains("\"decode\""));
        assertTrue(open(cache).basis().contains("verdict kept"));
    }

    @Test
    void anUnwritableCacheDirectoryNeverStopsTheEngine() throws IOException {
        Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
        BatchingPlan plan = open(file);
        assertTrue(plan.basis().contains("self-check"), plan.basis());
    }
}
