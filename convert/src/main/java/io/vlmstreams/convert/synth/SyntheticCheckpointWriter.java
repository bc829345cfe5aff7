package io.vlmstreams.convert.synth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vlmstreams.inference.model.Lfm2VlConfig;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a complete upstream-style LFM2-VL checkpoint with seeded random weights: config.json,
 * model.safetensors, generation_config.json (with the model card's decoding defaults),
 * tokenizer.json, tokenizer_config.json, chat_template.jinja, processor_config.json and
 * preprocessor_config.json. The same size and seed always give the same bytes. The tiny size
 * uses float32 and the 400-token tokenizer of the upstream fixture; 450m uses bfloat16 (as
 * upstream ships it), a generated 65,536-token tokenizer and is streamed to disk.
 */
public final class SyntheticCheckpointWriter {

    /** What was written. */
    public record Written(Path dir, Size size, long seed, long parameterCount, long safetensorsBytes) {
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String RESOURCES = "/io/vlmstreams/convert/synth/";

    private SyntheticCheckpointWriter() {
    }

    /** Writes the checkpoint of {@code size} drawn from {@code seed} into {@code dir}. */
    public static Written write(Size size, long seed, Path dir) {
        try {
            Files.createDirectories(dir);
            String template = resource("chat_template.jinja");
            writeTokenizer(size, template, dir);
            SyntheticConfigs.TokenIds ids = tokenIds(dir.resolve("tokenizer.json"));
            ObjectNode config = SyntheticConfigs.config(size, ids);
            writeJson(dir.resolve("config.json"), config);
            writeJson(dir.resolve("generation_config.json"), SyntheticConfigs.generationConfig(ids));
            writeJson(dir.resolve("processor_config.json"), SyntheticConfigs.processorConfig(size));
            writeJson(dir.resolve("preprocessor_config.json"), SyntheticConfigs.preprocessorConfig(size));
            Files.writeString(dir.resolve("chat_template.jinja"), template, StandardCharsets.UTF_8);

            List<Parameter> parameters = Lfm2VlParameters.of(Lfm2VlConfig.fromJson(config, "synthetic " + size.label()));
            SafetensorsWriter.StoredType type = size == Size.TINY
                    ? SafetensorsWriter.StoredType.F32 : SafetensorsWriter.StoredType.BF16;
            long bytes = SafetensorsWriter.write(dir.resolve("model.safetensors"), parameters, type,
                    p -> values(seed, p));
            return new Written(dir, size, seed, Lfm2VlParameters.count(parameters), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write synthetic checkpoint to " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Each tensor draws from its own stream, so its values do not depend on the others. */
    private static SafetensorsWriter.Values values(long seed, Parameter p) {
        SplitMix64 random = SplitMix64.forStream(seed, p.name());
        double mean = p.mean();
        double std = p.std();
        return (chunk, count) -> {
            for (int i = 0; i < count; i++) {
                chunk[i] = (float) (mean + std * random.nextGaussian());
            }
        };
    }

    private static void writeTokenizer(Size size, String template, Path dir) throws IOException {
        if (size == Size.TINY) {
            Files.writeString(dir.resolve("tokenizer.json"), resource("tiny/tokenizer.json"), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("tokenizer_config.json"), resource("tiny/tokenizer_config.json"),
                    StandardCharsets.UTF_8);
            return;
        }
        // compact: the 65,536-token vocabulary and its merges would triple in size when indented
        Files.writeString(dir.resolve("tokenizer.json"), ByteLevelBpeTokenizer.build(65_536).toString(),
                StandardCharsets.UTF_8);
        writeJson(dir.resolve("tokenizer_config.json"), tokenizerConfig(template));
    }

    private static ObjectNode tokenizerConfig(String template) {
        ObjectNode c = JSON.createObjectNode();
        c.put("add_bos_token", false);
        c.put("add_eos_token", false);
        c.put("bos_token", "<|startoftext|>");
        c.put("chat_template", template);
        c.put("clean_up_tokenization_spaces", false);
        c.put("eos_token", "<|im_end|>");
        var extra = c.putArray("extra_special_tokens");
        ByteLevelBpeTokenizer.specialTokens().forEach((id, text) -> {
            if (id >= 396) {
                extra.add(text);
            }
        });
        c.put("model_max_length", 32_768);
        c.put("pad_token", "<|pad|>");
        c.put("processor_class", "Lfm2VlProcessor");
        c.put("tokenizer_class", "PreTrainedTokenizerFast");
        return c;
    }

    /** Reads the ids the configs must agree with from the tokenizer itself. */
    private static SyntheticConfigs.TokenIds tokenIds(Path tokenizerJson) throws IOException {
        JsonNode root = JSON.readTree(tokenizerJson.toFile());
        JsonNode vocab = root.path("model").path("vocab");
        return new SyntheticConfigs.TokenIds(id(vocab, "<|pad|>"), id(vocab, "<|startoftext|>"), id(vocab, "<|im_end|>"),
                id(vocab, "<image>"), vocab.size());
    }

    private static int id(JsonNode vocab, String token) {
        JsonNode id = vocab.get(token);
        if (id == null) {
            throw new IllegalStateException("tokenizer has no " + token);
        }
        return id.asInt();
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = SyntheticCheckpointWriter.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IOException("missing resource " + RESOURCES + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void writeJson(Path file, JsonNode node) throws IOException {
        Files.writeString(file, JSON.writeValueAsString(node) + "\n", StandardCharsets.UTF_8);
    }
}
