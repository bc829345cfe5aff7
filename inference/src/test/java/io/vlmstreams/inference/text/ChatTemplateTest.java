package io.vlmstreams.inference.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlmstreams.devstack.Fixtures;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Expected texts of the LFM2-style templates were rendered with Python Jinja 3.1 set up as
 * transformers does (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols, its
 * tojson and raise_exception).
 */
class ChatTemplateTest {

    private static final String BOS = "<|startoftext|>";
    private static final String EOS = "<|im_end|>";

    private static ChatTemplate resource(String name) throws IOException {
        try (InputStream in = ChatTemplateTest.class.getResourceAsStream(name)) {
            return new ChatTemplate(new String(in.readAllBytes(), StandardCharsets.UTF_8), BOS, EOS);
        }
    }

    private static Map<String, Object> message(String role, Object content) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("content", content);
        return m;
    }

    private static Map<String, Object> part(String... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    @Test
    void fixtureTemplateRendersTheReferencePromptOfEveryRecord() throws IOException {
        ChatTemplate template = new ChatTemplate(
                Files.readString(Fixtures.tinyCheckpoint().resolve("chat_template.jinja")), BOS, EOS);
        List<String> lines = Files.readAllLines(Fixtures.tinyCheckpoint().resolve("reference_generations.jsonl"));
        assertThat(lines).hasSize(4);
        ObjectMapper json = new ObjectMapper();
        for (String line : lines) {
            JsonNode record = json.readTree(line);
            assertThat(template.renderUserTurn("Describe this image.", 1))
                    .as(record.path("image").asText())
                    .isEqualTo(record.path("prompt_text").asText());
        }
    }

    @Test
    void lfm2StyleTemplateSingleImageTurn() throws IOException {
        assertThat(resource("lfm2-style.jinja").renderUserTurn("Describe this image.", 1))
                .isEqualTo("<|startoftext|><|im_start|>user\n<image>Describe this image.<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void lfm2StyleTemplateSystemPromptAndStringContents() throws IOException {
        List<Map<String, Object>> messages = List.of(
                message("system", "You are a helpful assistant."),
                ChatTemplate.userMessage("What is shown?", 1),
                message("assistant", "  A cat.  "),
                message("user", "And the colour?"));
        assertThat(resource("lfm2-style.jinja").render(messages, true)).isEqualTo(
                "<|startoftext|><|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
                        + "<|im_start|>user\n<image>What is shown?<|im_end|>\n"
                        + "<|im_start|>assistant\nA cat.<|im_end|>\n"
                        + "<|im_start|>user\nAnd the colour?<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void lfm2StyleTemplateSystemPromptAsParts() throws IOException {
        List<Map<String, Object>> messages = List.of(
                message("system", List.of(part("type", "text", "text", "Be "), part("type", "text", "text", "brief."))),
                ChatTemplate.userMessage("Hi", 1));
        assertThat(resource("lfm2-style.jinja").render(messages, false)).isEqualTo(
                "<|startoftext|><|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n<image>Hi<|im_end|>\n");
    }

    @Test
    void lfm2StyleTemplateToolsUsePythonJson() throws IOException {
        Map<String, Object> city = new LinkedHashMap<>();
        city.put("city", Map.of("type", "string"));
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("type", "object");
        params.put("properties", city);
        params.put("required", List.of("city"));
        Map<String, Object> tool = new LinkedHashMap<>();
        tool.put("name", "get_weather");
        tool.put("description", "Weather at a place");
        tool.put("parameters", params);
        List<Object> tools = new ArrayList<>(List.of(tool, "raw_tool()"));
        String out = resource("lfm2-style.jinja").render(List.of(ChatTemplate.userMessage("Weather?", 1)), true,
                Map.of("tools", tools));
        assertThat(out).isEqualTo("<|startoftext|><|im_start|>system\nList of tools: <|tool_list_start|>["
                + "{\"name\": \"get_weather\", \"description\": \"Weather at a place\", \"parameters\": {\"type\": \"object\", "
                + "\"properties\": {\"city\": {\"type\": \"string\"}}, \"required\": [\"city\"]}}, raw_tool()]<|tool_list_end|><|im_end|>\n"
                + "<|im_start|>user\n<image>Weather?<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void raiseExceptionFailsTheRender() throws IOException {
        ChatTemplate template = resource("lfm2-style.jinja");
        assertThatThrownBy(() -> template.render(List.of(message("narrator", "x")), true))
                .isInstanceOf(ChatTemplateException.class)
                .hasMessageContaining("Unexpected role: narrator");
        List<Object> video = List.of(part("type", "video"));
        assertThatThrownBy(() -> template.render(List.of(message("user", video)), true))
                .hasMessageContaining("Video input is not supported");
    }

    @Test
    void blockWhitespaceLoopControlsFilteredLoopsAndStringMethodsMatchPythonJinja() throws IOException {
        List<Map<String, Object>> messages = List.of(
                message("user", "  padded text \n"),
                message("assistant", List.of(part("type", "image"), part("type", "text", "text", "two  words\tthree"),
                        part("type", "image"), part("type", "text", "text", "four"))),
                message("user", "never"));
        assertThat(resource("blocks.jinja").render(messages, true)).isEqualTo(
                "<|startoftext|>\n<|im_start|>USER U\npadded text\n<|im_end|>\n"
                        + "<|im_start|>ASSISTANT A\n1/2: two_words_three\n2/2: four\n<|im_end|>\n"
                        + "[1,][2]\n<|im_start|>assistant\n");
    }

    @Test
    void filteredLoopRewriteLeavesOtherTagsAlone() {
        assertThat(LoopFilterRewriter.rewrite("{% for x in (a if b else c) %}{% if '%}' %}{% endfor %}"))
                .isEqualTo("{% for x in (a if b else c) %}{% if '%}' %}{% endfor %}");
        assertThat(LoopFilterRewriter.rewrite("{%- for k, v in m.items() if v -%}"))
                .isEqualTo("{%- set __vlm_filtered_0 = [] %}{% for k, v in m.items() %}{% if v %}"
                        + "{% do __vlm_filtered_0.append([k, v]) %}{% endif %}{% endfor %}{% for k, v in __vlm_filtered_0 -%}");
    }

    @Test
    void messageTextIsNeverInterpretedAsTemplate() throws IOException {
        String out = resource("lfm2-style.jinja").renderUserTurn("{{ 7 * 7 }} {% if true %}x{% endif %}", 0);
        assertThat(out).contains("<|im_start|>user\n{{ 7 * 7 }} {% if true %}x{% endif %}<|im_end|>");
    }

    @Test
    void pythonJsonMatchesJsonDumps() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("name", "café");
        value.put("n", java.util.Arrays.asList(1, 2.5, 1e-05, 1e20, true, null));
        value.put("q", "a\"b\\\n");
        assertThat(PythonJson.dumps(value, null, false))
                .isEqualTo("{\"name\": \"café\", \"n\": [1, 2.5, 1e-05, 1e+20, true, null], \"q\": \"a\\\"b\\\\\\n\"}");
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("a", List.of(1, Map.of("b", List.of())));
        nested.put("c", Map.of());
        assertThat(PythonJson.dumps(nested, 2, false))
                .isEqualTo("{\n  \"a\": [\n    1,\n    {\n      \"b\": []\n    }\n  ],\n  \"c\": {}\n}");
        ChatTemplate t = new ChatTemplate("{{ x | tojson(indent=2) }}|{{ y | tojson(sort_keys=true) }}", BOS, EOS);
        Map<String, Object> y = new LinkedHashMap<>();
        y.put("b", 1);
        y.put("a", 2);
        assertThat(t.render(List.of(), false, Map.of("x", List.of(1), "y", y))).isEqualTo("[\n  1\n]|{\"a\": 2, \"b\": 1}");
    }

    @Test
    void strftimeNowAndTrailingNewline() {
        ChatTemplate t = new ChatTemplate("{{ strftime_now('%Y') }}\n", BOS, EOS);
        String year = t.render(List.of(), false);
        assertThat(year).matches("\\d{4}");
    }

    @Test
    void syntaxErrorsFail() {
        ChatTemplate t = new ChatTemplate("{% for m in messages %}{{ m.role }}", BOS, EOS);
        assertThatThrownBy(() -> t.render(List.of(message("user", "x")), true))
                .isInstanceOf(ChatTemplateException.class);
    }
}
