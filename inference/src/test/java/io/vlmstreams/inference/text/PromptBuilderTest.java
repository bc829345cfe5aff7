package io.vlmstreams.inference.text;

import io.vlmstreams.devstack.Fixtures;
import io.vlmstreams.inference.model.ModelFolder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Prompts of the tiny upstream model must come out token for token as upstream's processor made them. */
class PromptBuilderTest {

    private static TextTokenizer tokenizer;
    private static SpecialTokens tokens;
    private static PromptBuilder builder;

    @BeforeAll
    static void load() throws IOException {
        tokenizer = TextTokenizer.open(Fixtures.tinyCheckpoint().resolve("tokenizer.json"));
        builder = TinyPromptBuilder.open(tokenizer);
        tokens = builder.specialTokens();
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    /** The image's expansion read back from the reference ids: image start to image end, as token text. */
    private static String expansionFromIds(long[] ids) {
        Map<Integer, String> byId = new HashMap<>();
        tokenizer.vocabulary().ids().forEach((t, id) -> byId.put(id, t));
        int start = indexOf(ids, tokens.imageStartId());
        int end = indexOf(ids, tokens.imageEndId());
        StringBuilder b = new StringBuilder();
        for (int i = start; i <= end; i++) {
            b.append(byId.get((int) ids[i]));
        }
        return b.toString();
    }

    private static int indexOf(long[] ids, int id) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == id) {
                return i;
            }
        }
        throw new AssertionError("id " + id + " not in prompt");
    }

    @Test
    void tokenizingTheExpandedReferenceTextGivesTheReferenceIds() {
        List<ReferenceRecords.Generation> records = ReferenceRecords.generations();
        assertThat(records).hasSize(4);
        for (ReferenceRecords.Generation r : records) {
            String text = r.promptText().replace("<image>", expansionFromIds(r.promptTokenIds()));
            assertThat(tokenizer.encode(text)).as(r.image()).containsExactly(r.promptTokenIds());
        }
    }

    @Test
    void builderReproducesEveryReferencePrompt() {
        for (ReferenceRecords.Generation r : ReferenceRecords.generations()) {
            String expansion = expansionFromIds(r.promptTokenIds());
            Prompt prompt = builder.build("Describe this image.", List.of(expansion));
            assertThat(prompt.inputIds()).as(r.image()).containsExactly(r.promptTokenIds());
            assertThat(prompt.text()).isEqualTo(r.promptText().replace("<image>", expansion));
            long images = Arrays.stream(r.promptTokenIds()).filter(id -> id == tokens.imageTokenId()).count();
            assertThat(prompt.imageTokenCount()).isEqualTo((int) images);
        }
    }

    @Test
    void goldenExpansionsMatchTheReferenceIds() {
        Map<String, String> golden = ReferenceRecords.goldenExpansions();
        int checked = 0;
        for (ReferenceRecords.Generation r : ReferenceRecords.generations()) {
            String expansion = golden.get(r.image());
            if (expansion == null) {
                continue;
            }
            Prompt prompt = builder.build("Describe this image.", List.of(expansion));
            assertThat(prompt.inputIds()).as(r.image()).containsExactly(r.promptTokenIds());
            checked++;
        }
        // Storm (2x3 tiles + thumbnail, 1783 image tokens) and the single-tile images
        assertThat(checked).isGreaterThanOrEqualTo(2);
        assertThat(golden.get("Storm.jpg")).startsWith("<|image_start|><|img_row_1_col_1|><image><image>")
                .endsWith("<image><|image_end|>");
    }

    @Test
    void stormPromptHasTheTiledStructure() {
        String storm = ReferenceRecords.goldenExpansions().get("Storm.jpg");
        Prompt prompt = builder.build("Describe this image.", List.of(storm));
        assertThat(prompt.imageTokenCount()).isEqualTo(6 * 256 + 247);
        long[] ids = prompt.inputIds();
        int start = indexOf(ids, tokens.imageStartId());
        assertThat(ids[start + 1]).isEqualTo(tokens.tileTokenId(1, 1).getAsInt());
        assertThat(ids[start + 2 + 256]).isEqualTo(tokens.tileTokenId(1, 2).getAsInt());
        assertThat(ids[start + 1 + 6 * 257]).isEqualTo(tokens.thumbnailId());
    }

    @Test
    void wiredFromAModelFolder(@org.junit.jupiter.api.io.TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("tiny");
        Files.createDirectories(dir.resolve("onnx"));
        for (String f : List.of("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json",
                "processor_config.json", "chat_template.jinja")) {
            Files.copy(Fixtures.tinyCheckpoint().resolve(f), dir.resolve(f));
        }
        for (String g : List.of("vision_encoder", "embed_tokens", "decoder_model_merged")) {
            Files.createFile(dir.resolve("onnx/" + g + ".onnx"));
        }
        ModelFolder folder = ModelFolder.open(dir, "fp32");
        ReferenceRecords.Generation coins = ReferenceRecords.generations().stream()
                .filter(r -> r.image().equals("coins.png")).findFirst().orElseThrow();
        try (TextTokenizer t = TextTokenizer.open(folder.tokenizerJson())) {
            PromptBuilder fromFolder = PromptBuilder.of(folder, t);
            assertThat(fromFolder.specialTokens()).isEqualTo(tokens);
            Prompt prompt = fromFolder.build("Describe this image.", List.of(ReferenceRecords.goldenExpansions().get("coins.png")));
            assertThat(prompt.inputIds()).containsExactly(coins.promptTokenIds());
            assertThat(prompt.imageTokenCount()).isEqualTo(108);
        }
    }

    @Test
    void textOnlyAndSeveralImages() {
        Prompt textOnly = builder.build("Hello", List.of());
        assertThat(textOnly.imageTokenCount()).isZero();
        assertThat(textOnly.text()).isEqualTo("<|startoftext|><|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n");

        String a = "<|image_start|>" + "<image>".repeat(3) + "<|image_end|>";
        String b = "<|image_start|>" + "<image>".repeat(5) + "<|image_end|>";
        Prompt two = builder.build("Compare.", List.of(a, b));
        assertThat(two.text()).isEqualTo("<|startoftext|><|im_start|>user\n" + a + b + "Compare.<|im_end|>\n<|im_start|>assistant\n");
        assertThat(two.imageTokenCount()).isEqualTo(8);
    }

    @Test
    void placeholderTypedInTheTextIsRejected() {
        String a = "<|image_start|><image><|image_end|>";
        assertThatThrownBy(() -> builder.build("What is <image>?", List.of(a)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds 2 <image> placeholders but 1 images were given");
    }
}
