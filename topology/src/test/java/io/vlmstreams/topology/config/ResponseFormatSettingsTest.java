package io.vlmstreams.topology.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import io.vlmstreams.inference.constrain.ResponseFormat;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code pipeline.<p>.response.*}: a schema inline or from a file, a regex, and a schema outside the subset refused at start by name. */
class ResponseFormatSettingsTest {

    @TempDir
    Path dir;

    private static Map<String, String> base() {
        return new HashMap<>(Map.of("bootstrap.servers", "b:9092", "schema.registry.url", "mock://x", "model.dir", "/m",
                "pipelines", "mod", "pipeline.mod.input.topics", "in", "pipeline.mod.output.topic", "out",
                "pipeline.mod.prompt", "Describe."));
    }

    private static PipelineConfig with(Map<String, String> extra) {
        Map<String, String> settings = base();
        settings.putAll(extra);
        return AppConfig.from(ConfigSource.of(settings)).pipelines().get(0);
    }

    @Test
    void aSchemaInlineOrFromAFileAndARegexAreRead() throws Exception {
        String schema = "{\"type\":\"object\",\"properties\":{\"ok\":{\"type\":\"boolean\"}},\"required\":[\"ok\"]}";
        assertThat(with(Map.of("pipeline.mod.response.json.schema", schema)).response())
                .isEqualTo(ResponseFormat.jsonSchema(schema));
        Path file = Files.writeString(dir.resolve("answer.schema.json"), schema);
        assertThat(with(Map.of("pipeline.mod.response.json.schema", file.toString())).response())
                .isEqualTo(ResponseFormat.jsonSchema(schema));
        assertThat(with(Map.of("pipeline.mod.response.regex", "(yes|no)")).response()).isEqualTo(ResponseFormat.regex("(yes|no)"));
        assertThat(with(Map.of()).response()).isNull();
    }

    @Test
    void anUnsupportedKeywordStopsThePipelineAtStartNamingIt() {
        assertThatThrownBy(() -> with(Map.of("pipeline.mod.response.json.schema",
                "{\"type\":\"object\",\"properties\":{\"when\":{\"type\":\"string\",\"format\":\"date-time\"}}}")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("pipeline.mod.response.json.schema")
                .hasMessageContaining("keyword 'format' at #/properties/when is not supported");
        assertThatThrownBy(() -> with(Map.of("pipeline.mod.response.json.schema", "{\"type\":\"string\"}",
                "pipeline.mod.response.regex", "a")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not both");
        assertThatThrownBy(() -> with(Map.of("pipeline.mod.response.json.schema", "/no/such/schema.json")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("no readable file");
    }
}
