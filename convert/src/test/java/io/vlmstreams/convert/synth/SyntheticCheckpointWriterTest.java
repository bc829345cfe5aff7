package io.vlmstreams.convert.synth;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.vlmstreams.inference.model.Lfm2VlConfig;
import io.vlmstreams.devstack.Fixtures;
import io.vlmstreams.convert.SafetensorsReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

class SyntheticCheckpointWriterTest {

    private static final List<String> FILES = List.of("config.json", "model.safetensors", "generation_config.json",
            "tokenizer.json", "tokenizer_config.json", "chat_template.jinja", "processor_config.json",
            "preprocessor_config.json");

    @Test
    void sameSeedGivesIdenticalBytesAndAnotherSeedDifferentWeights(@TempDir Path tmp) throws Exception {
        SyntheticCheckpointWriter.Written a = SyntheticCheckpointWriter.write(Size.TINY, 7, tmp.resolve("a"));
        SyntheticCheckpointWriter.write(Size.TINY, 7, tmp.resolve("b"));
        SyntheticCheckpointWriter.write(Size.TINY, 8, tmp.resolve("c"));

        for (String f : FILES) {
            assertThat(Files.readAllBytes(tmp.resolve("b").resolve(f))).as(f)
                    .isEqualTo(Files.readAllBytes(tmp.resolve("a").resolve(f)));
        }
        assertThat(Files.mismatch(tmp.resolve("a/model.safetensors"), tmp.resolve("c/model.safetensors"))).isNotEqualTo(-1);
        assertThat(Files.readAllBytes(tmp.resolve("c/config.json"))).isEqualTo(Files.readAllBytes(tmp.resolve("a/config.json")));
        assertThat(a.parameterCount()).isBetween(300_000L, 500_000L);
    }

    @Test
    void tinyHasTheReferenceCheckpointsTensorsAndDimensions(@TempDir Path tmp) throws Exception {
        SyntheticCheckpointWriter.write(Size.TINY, 1234, tmp);
        Path reference = Fixtures.tinyCheckpoint();

        Lfm2VlConfig synth = Lfm2VlConfig.read(tmp.resolve("config.json"));
        assertThat(synth).isEqualTo(Lfm2VlConfig.read(reference.resolve("config.json")));
        try (SafetensorsReader ours = SafetensorsReader.open(tmp); SafetensorsReader theirs = SafetensorsReader.open(reference)) {
            Set<String> expected = new TreeSet<>(theirs.names());
            expected.removeIf(n -> n.startsWith("model.vision_tower.head."));   // LFM2-VL never uses the pooling head
            assertThat(new TreeSet<>(ours.names())).isEqualTo(expected);
            for (String n : expected) {
                assertThat(ours.info(n).shape()).as(n).isEqualTo(theirs.info(n).shape());
            }
            float[] norm = ours.read("model.language_model.embedding_norm.weight").data();
            float[] matrix = ours.read("model.language_model.layers.0.feed_forward.w1.weight").data();
            assertThat(mean(norm)).isBetween(0.95, 1.05);
            assertThat(Math.abs(mean(matrix))).isLessThan(0.01);
        }
        assertThat(Files.readString(tmp.resolve("generation_config.json")))
                .contains("\"temperature\" : 0.1", "\"min_p\" : 0.15", "\"repetition_penalty\" : 1.05", "\"do_sample\" : true");
    }

    @Test
    void the450mConfigHasLfm2Vl450mDimensionsAndParameterCount() {
        SyntheticConfigs.TokenIds ids = new SyntheticConfigs.TokenIds(0, 1, 7, 396, 65_536);
        Lfm2VlConfig config = Lfm2VlConfig.fromJson(SyntheticConfigs.config(Size.LFM2_VL_450M, ids), "450m");
        long params = Lfm2VlParameters.count(Lfm2VlParameters.of(config));

        assertThat(config.text().ffnDim()).isEqualTo(4608);
        assertThat(config.text().layerTypes()).filteredOn("full_attention"::equals).hasSize(6);
        // LFM2-VL-450M: 450M parameters (86M vision, 350M language); within 5%
        assertThat(params).isBetween(427_500_000L, 472_500_000L);
    }

    @Test
    void generatedTokenizerLoadsInHuggingFaceTokenizersWithSpecialTokensAtRealIds(@TempDir Path tmp) throws Exception {
        Path json = tmp.resolve("tokenizer.json");
        Files.writeString(json, ByteLevelBpeTokenizer.build(65_536).toString());

        try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.builder().optTokenizerPath(json).optAddSpecialTokens(false).build()) {
            Encoding e = tok.encode("<|startoftext|><|im_start|>user\n<image>Describe this image.<|im_end|>\n"
                    + "<|image_start|><|img_row_2_col_3|><|img_thumbnail|><|image_end|><|pad|><|endoftext|>");
            long[] ids = e.getIds();
            assertThat(ids[0]).isEqualTo(1);
            assertThat(ids[1]).isEqualTo(6);
            assertThat(ids).contains(396L, 7L, 498L, 397L + 10 + 2, 497L, 499L, 0L, 2L);
            assertThat(java.util.Arrays.stream(ids).allMatch(id -> id >= 0 && id < 65_536)).isTrue();
            String text = "Zebras ånd 3 photos: ✓";
            assertThat(tok.decode(tok.encode(text).getIds())).isEqualTo(text);
        }
    }

    private static double mean(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x;
        }
        return s / v.length;
    }
}
