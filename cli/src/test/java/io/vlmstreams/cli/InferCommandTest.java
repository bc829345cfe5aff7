package io.vlmstreams.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlmstreams.inference.io.Npy;
import io.vlmstreams.inference.io.NpyArray;
import io.vlmstreams.convert.CheckpointConverter;
import io.vlmstreams.inference.model.OnnxDtype;
import io.vlmstreams.convert.Layout;
import io.vlmstreams.inference.engine.TinyModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code infer --json} on the converted tiny model prints upstream's tokens and dumps the model inputs. */
class InferCommandTest {

    @TempDir
    static Path temp;

    private static Path model;

    @BeforeAll
    static void convert() {
        model = new CheckpointConverter().convert(TinyModel.checkpoint(), temp.resolve("tiny-onnx"), OnnxDtype.FP32, Layout.SPLIT).folder();
    }

    @Test
    void printsOneJsonLinePerImageWithTheReferenceTokensAndDumpsInputs() throws Exception {
        Map<String, TinyModel.Reference> refs = TinyModel.references().stream()
                .collect(Collectors.toMap(TinyModel.Reference::image, Function.identity()));
        Path dump = temp.resolve("dump");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            CommandLine cli = new CommandLine(new InferCommand(capture));
            int rc = cli.execute("--model", model.toString(), "--image", TinyModel.image("coins.png").toString(),
                    TinyModel.image("Storm.jpg").toString(), "--prompt", "Describe this image.", "--max-new-tokens", "12",
                    "--greedy", "--json", "--token-ids", "--batch-size", "2", "--dump-inputs", dump.toString());
            assertThat(rc).isZero();
        }
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(2);
        ObjectMapper json = new ObjectMapper();
        for (String line : lines) {
            JsonNode n = json.readTree(line);
            TinyModel.Reference ref = refs.get(n.get("event_id").asText());
            assertThat(n.get("_schema").asText()).isEqualTo("io.vlmstreams.schemas.Answer");
            assertThat(n.get("attributes").get("file").asText()).isEqualTo(TinyModel.image(ref.image()).toString());
            assertThat(n.get("pipeline").asText()).isEqualTo("infer");
            assertThat(longs(n.get("token_ids"))).containsExactly(ref.tokenIds());
            assertThat(longs(n.get("prompt_token_ids"))).containsExactly(ref.promptTokenIds());
            assertThat(n.get("finish_reason").asText()).isEqualTo("LENGTH");
            assertThat(n.get("generated_tokens").asInt()).isEqualTo(12);
            assertThat(n.has("timings")).isTrue();
            NpyArray ids = Npy.read(dump.resolve(ref.image()).resolve("input_ids.npy"));
            long[] dumped = new long[(int) ids.size()];
            ByteBuffer.wrap(ids.data()).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(dumped);
            assertThat(dumped).containsExactly(ref.promptTokenIds());
            assertThat(Npy.read(dump.resolve(ref.image()).resolve("pixel_values.npy")).shape()[2]).isEqualTo(768);
            assertThat(Npy.read(dump.resolve(ref.image()).resolve("spatial_shapes.npy")).shape()[1]).isEqualTo(2);
            assertThat(Npy.read(dump.resolve(ref.image()).resolve("pixel_attention_mask.npy")).shape()).hasSize(2);
        }
    }

    @Test
    void labelsNeedNoPromptAndTokenIdsComeOnlyOnRequest() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            int rc = new CommandLine(new InferCommand(capture)).execute("--model", model.toString(), "--image",
                    TinyModel.image("coins.png").toString(), "--labels", "coins,storm", "--json");
            assertThat(rc).isZero();
        }
        JsonNode n = new ObjectMapper().readTree(bytes.toString(StandardCharsets.UTF_8).strip());
        assertThat(n.get("finish_reason").asText()).isEqualTo("CLASSIFIED");
        assertThat(n.get("label_scores")).hasSize(2);
        assertThat(n.has("prompt_token_ids")).isFalse();
        assertThat(n.has("token_ids")).isFalse();
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }
}
