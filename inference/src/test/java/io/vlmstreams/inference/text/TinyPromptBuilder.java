package io.vlmstreams.inference.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlmstreams.devstack.Fixtures;
import io.vlmstreams.inference.model.GenerationConfig;
import io.vlmstreams.inference.model.Lfm2VlConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The prompt builder of the tiny upstream checkpoint (tokenizer, template and configs, no ONNX files), for tests. */
public final class TinyPromptBuilder {

    private TinyPromptBuilder() {
    }

    /** A builder over {@code tokenizer}, which the caller opened on the tiny model's tokenizer.json and closes. */
    public static PromptBuilder open(TextTokenizer tokenizer) throws IOException {
        Path dir = Fixtures.tinyCheckpoint();
        ObjectMapper json = new ObjectMapper();
        SpecialTokens tokens = SpecialTokens.from(tokenizer.vocabulary(),
                json.readTree(dir.resolve("tokenizer_config.json").toFile()),
                Lfm2VlConfig.read(dir.resolve("config.json")),
                GenerationConfig.fromJson(json.readTree(dir.resolve("generation_config.json").toFile()), "generation_config.json"),
                dir.toString());
        ChatTemplate template = new ChatTemplate(Files.readString(dir.resolve("chat_template.jinja")),
                tokens.bosToken(), tokens.eosToken());
        return new PromptBuilder(template, tokenizer, tokens);
    }
}
