package io.vlmstreams.convert;

import io.vlmstreams.inference.model.OnnxDtype;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import io.vlmstreams.devstack.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code fixtures/tiny-onnx} is what the converter writes for the upstream tiny checkpoint. The engine's
 * tests (in {@code inference}, which cannot depend on this module) load it; this test keeps it from drifting.
 */
class TinyOnnxFixtureTest {

    private static final String REGENERATE = "regenerate it: ./vlm-streams model convert --from fixtures/upstream/tiny-lfm2vl"
            + " --out fixtures/tiny-onnx --dtype fp32";

    @Test
    void theCommittedFixtureIsWhatTheConverterWritesToday(@TempDir Path temp) throws IOException {
        Path fresh = new CheckpointConverter().convert(Fixtures.tinyCheckpoint(), temp.resolve("tiny-onnx"),
                OnnxDtype.FP32, Layout.ONNX_COMMUNITY).folder();
        Path committed = Fixtures.tinyOnnx();
        assertThat(relativeFiles(committed)).as("files of %s; %s", committed, REGENERATE).isEqualTo(relativeFiles(fresh));
        for (String file : relativeFiles(fresh)) {
            assertThat(Files.readAllBytes(committed.resolve(file)))
                    .as("%s differs from the converter's output; %s", file, REGENERATE)
                    .isEqualTo(Files.readAllBytes(fresh.resolve(file)));
        }
    }

    private static List<String> relativeFiles(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).map(p -> root.relativize(p).toString().replace('\\', '/')).sorted().toList();
        }
    }
}
