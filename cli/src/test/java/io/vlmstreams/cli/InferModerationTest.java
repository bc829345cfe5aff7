package io.vlmstreams.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlmstreams.inference.engine.TinyModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code infer --schema}, {@code --regex} and {@code --policy/--threshold} on the tiny model, and a refused keyword as one error line. */
class InferModerationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void schemaRegexAndPolicyAnswers() throws Exception {
        String model = TinyModel.onnxFolder().toString();
        String image = TinyModel.image("Storm.jpg").toString();
        Path schema = Files.writeString(dir.resolve("s.json"),
                "{\"type\":\"object\",\"properties\":{\"safe\":{\"type\":\"boolean\"},\"n\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":9}},"
                        + "\"required\":[\"safe\",\"n\"]}");
        JsonNode a = JSON.readTree(jsonLine(Cli.run("infer", "--model", model, "--image", image, "--prompt", "JSON please.",
                "--schema", schema.toString(), "--json")));
        JsonNode answer = JSON.readTree(a.get("text").asText());
        assertThat(answer.get("safe").isBoolean()).isTrue();
        assertThat(answer.get("n").asInt()).isBetween(0, 9);
        assertThat(a.get("finish_reason").asText()).isEqualTo("STOP");

        String out = Cli.run("infer", "--model", model, "--image", image, "--prompt", "Yes or no?", "--regex", "(yes|no)!");
        assertThat(out.lines().filter(l -> l.startsWith("Storm.jpg: ")).toList()).singleElement().asString()
                .matches("Storm\\.jpg: (yes|no)!");

        JsonNode m = JSON.readTree(jsonLine(Cli.run("infer", "--model", model, "--image", image, "--prompt", "",
                "--policy", "violence=Is there violence?", "--policy", "text=Is there text?", "--threshold", "text=0", "--json")));
        assertThat(m.get("finish_reason").asText()).isEqualTo("MODERATED");
        assertThat(m.get("scoring").asText()).isEqualTo("policy_yes_no");
        assertThat(m.get("policy_scores")).hasSize(2);
        assertThat(m.get("policy_scores").get(1).get("flagged").asBoolean()).isTrue();
        assertThat(m.get("flagged").asBoolean()).isTrue();
    }

    /** The command's one JSON line (log lines may share the captured output). */
    private static String jsonLine(String out) {
        return out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow();
    }

    @Test
    void anUnsupportedKeywordIsOneErrorLine() throws Exception {
        Path schema = Files.writeString(dir.resolve("bad.json"), "{\"type\":\"string\",\"format\":\"email\"}");
        Cli.Result r = Cli.execute("infer", "--model", TinyModel.onnxFolder().toString(), "--image",
                TinyModel.image("Storm.jpg").toString(), "--prompt", "x", "--schema", schema.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().lines().filter(l -> l.startsWith("error:")).toList())
                .containsExactly("error: JSON schema keyword 'format' at # is not supported");
    }
}
