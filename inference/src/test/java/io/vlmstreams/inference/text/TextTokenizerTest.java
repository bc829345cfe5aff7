package io.vlmstreams.inference.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlmstreams.devstack.Fixtures;
import io.vlmstreams.inference.model.GenerationConfig;
import io.vlmstreams.inference.model.Lfm2VlConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TextTokenizerTest {

    private static final Path TOKENIZER = Fixtures.tinyCheckpoint().resolve("tokenizer.json");

    @Test
    void encodesWithoutAddingSpecialTokensAndDecodes() {
        try (TextTokenizer t = TextTokenizer.open(TOKENIZER)) {
            long[] ids = t.encode("Describe this image.");
            // reference_generations.jsonl: the text tokens between <|image_end|> and <|im_end|>
            assertThat(ids).containsExactly(397, 175, 190, 181, 174, 177, 391, 393, 122);
            assertThat(t.decode(ids, false)).isEqualTo("Describe this image.");

            String prompt = "<|startoftext|><|im_start|>user\n<image>Hi<|im_end|>\n";
            long[] withSpecials = t.encode(prompt);
            assertThat(withSpecials[0]).isEqualTo(1);
            assertThat(t.decode(withSpecials, false)).isEqualTo(prompt);
            assertThat(t.decode(withSpecials, true)).isEqualTo("user\nHi\n");
            assertThat(t.encode("")).isEmpty();
        }
    }

    @Test
    void looksUpTokensAndVocabularySize() {
        try (TextTokenizer t = TextTokenizer.open(TOKENIZER)) {
            assertThat(t.tokenId("<|im_end|>")).isEqualTo(4);
            assertThat(t.tokenId("<image>")).isEqualTo(5);
            assertThat(t.tokenId("<|img_row_10_col_10|>")).isEqualTo(108);
            assertThat(t.findTokenId("<|nope|>")).isEmpty();
            assertThatThrownBy(() -> t.tokenId("<|nope|>")).hasMessageContaining("'<|nope|>' is not in the tokenizer's vocabulary");
            assertThat(t.vocabSize()).isEqualTo(400);
        }
    }

    @Test
    void longImageRunsAreNeitherTruncatedNorSlow() {
        // ten tiles and a thumbnail: the largest expansion the defaults allow, about 2800 tokens
        StringBuilder b = new StringBuilder("<|image_start|>");
        for (int r = 1; r <= 2; r++) {
            for (int c = 1; c <= 5; c++) {
                b.append("<|img_row_").append(r).append("_col_").append(c).append("|>").append("<image>".repeat(256));
            }
        }
        b.append("<|img_thumbnail|>").append("<image>".repeat(256)).append("<|image_end|>");
        try (TextTokenizer t = TextTokenizer.open(TOKENIZER)) {
            t.encode(b.toString()); // warm-up
            long start = System.nanoTime();
            int rounds = 20;
            long[] ids = null;
            for (int i = 0; i < rounds; i++) {
                ids = t.encode(b.toString());
            }
            double ms = (System.nanoTime() - start) / 1e6 / rounds;
            assertThat(ids).hasSize(1 + 10 * 257 + 257 + 1);
            assertThat(java.util.Arrays.stream(ids).filter(id -> id == 5).count()).isEqualTo(11 * 256);
            System.out.printf("encode of %d-token image expansion: %.2f ms%n", ids.length, ms);
        }
    }

    @Test
    void concurrentEncodesAgree() throws Exception {
        try (TextTokenizer t = TextTokenizer.open(TOKENIZER)) {
            String text = "<|startoftext|><|im_start|>user\n" + "<image>".repeat(300) + "Describe this image.<|im_end|>\n";
            long[] expected = t.encode(text);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<long[]>> results = new ArrayList<>();
                for (int i = 0; i < 64; i++) {
                    results.add(pool.submit(() -> t.encode(text)));
                }
                for (Future<long[]> f : results) {
                    assertThat(f.get()).containsExactly(expected);
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void closedTokenizerRefusesWork() {
        TextTokenizer t = TextTokenizer.open(TOKENIZER);
        t.close();
        t.close();
        assertThatThrownBy(() -> t.encode("x")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void specialTokensOfTheTinyModel() throws IOException {
        ObjectMapper json = new ObjectMapper();
        Path dir = Fixtures.tinyCheckpoint();
        TokenizerVocabulary vocab = TokenizerVocabulary.read(TOKENIZER);
        Lfm2VlConfig config = Lfm2VlConfig.read(dir.resolve("config.json"));
        GenerationConfig gen = GenerationConfig.fromJson(json.readTree(dir.resolve("generation_config.json").toFile()), "g");
        SpecialTokens s = SpecialTokens.from(vocab, json.readTree(dir.resolve("tokenizer_config.json").toFile()), config, gen, "tiny");
        assertThat(s.imageToken()).isEqualTo("<image>");
        assertThat(s.imageTokenId()).isEqualTo(5);
        assertThat(s.imageStartId()).isEqualTo(6);
        assertThat(s.imageEndId()).isEqualTo(7);
        assertThat(s.thumbnailId()).isEqualTo(8);
        assertThat(s.tileTokenId(1, 1)).hasValue(9);
        assertThat(s.tileTokenId(1, 2)).hasValue(10);
        assertThat(s.tileTokenId(2, 1)).hasValue(19);
        assertThat(s.tileTokenId(11, 1)).isEmpty();
        assertThat(s.tileTokenIds()).hasSize(100);
        assertThat(s.bosToken()).isEqualTo("<|startoftext|>");
        assertThat(s.bosTokenId()).isEqualTo(1);
        assertThat(s.eosToken()).isEqualTo("<|im_end|>");
        assertThat(s.stopTokenIds()).containsExactly(4);
        assertThat(s.isStop(4)).isTrue();
        assertThat(s.isStop(2)).isFalse();
        assertThat(s.padTokenId()).isEqualTo(0);

        // generation_config may list more stop ids; the tokenizer's eos joins them once
        GenerationConfig twoEos = GenerationConfig.fromJson(json.readTree("{\"eos_token_id\": [2, 4]}"), "g");
        assertThat(SpecialTokens.from(vocab, json.readTree(dir.resolve("tokenizer_config.json").toFile()), config, twoEos, "tiny")
                .stopTokenIds()).containsExactly(2, 4);
    }

    @Test
    void imageTokenMustMatchConfig() throws IOException {
        ObjectMapper json = new ObjectMapper();
        Path dir = Fixtures.tinyCheckpoint();
        com.fasterxml.jackson.databind.node.ObjectNode raw = (com.fasterxml.jackson.databind.node.ObjectNode)
                json.readTree(dir.resolve("config.json").toFile());
        raw.put("image_token_id", 396);
        Lfm2VlConfig config = Lfm2VlConfig.fromJson(raw, "config.json");
        assertThatThrownBy(() -> SpecialTokens.from(TokenizerVocabulary.read(TOKENIZER),
                json.readTree(dir.resolve("tokenizer_config.json").toFile()), config, GenerationConfig.DEFAULTS, "model folder X"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("model folder X: image token <image> has id 5 in tokenizer.json but config.json image_token_id is 396");
    }
}
