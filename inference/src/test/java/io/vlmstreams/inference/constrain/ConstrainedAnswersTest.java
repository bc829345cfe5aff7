package io.vlmstreams.inference.constrain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.vlmstreams.inference.engine.EngineConfig;
import io.vlmstreams.inference.engine.GenerationSettings;
import io.vlmstreams.inference.engine.InferenceException;
import io.vlmstreams.inference.engine.InferenceRequest;
import io.vlmstreams.inference.engine.InferenceResult;
import io.vlmstreams.inference.engine.LocalInferenceEngine;
import io.vlmstreams.inference.engine.Outcome;
import io.vlmstreams.inference.engine.TinyModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Constrained answers from the tiny random-weight model, whose free text is noise: under a bounded
 * schema every answer validates (checked by networknt's validator, not this project's code) and
 * ends with STOP, on every reference image, alone and batched, greedy and sampled; a regex answer
 * matches; a schema keyword outside the subset fails the request naming it.
 */
class ConstrainedAnswersTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROMPT = "Describe this image as JSON.";
    private static LocalInferenceEngine engine;
    private static List<String> images;

    @BeforeAll
    static void open() throws IOException {
        engine = LocalInferenceEngine.open(EngineConfig.defaults(TinyModel.onnxFolder()));
        try (Stream<java.nio.file.Path> files = Files.list(TinyModel.image("x").getParent())) {
            images = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    private static List<InferenceRequest> requests(ResponseFormat format, GenerationSettings settings) {
        List<InferenceRequest> out = new ArrayList<>();
        for (String image : images) {
            out.add(InferenceRequest.generate(image, TinyModel.imageBytes(image), PROMPT, settings).withResponse(format));
        }
        return out;
    }

    private static List<InferenceResult> run(List<InferenceRequest> batch) {
        List<InferenceResult> out = new ArrayList<>();
        for (Outcome o : engine.runBatch(batch)) {
            assertThat(o).as("%s", o).isInstanceOf(Outcome.Success.class);
            out.add(((Outcome.Success) o).result());
        }
        return out;
    }

    private static void assertValid(JsonSchema schema, InferenceResult r) throws IOException {
        JsonNode answer = JSON.readTree(r.text());
        Set<ValidationMessage> errors = schema.validate(answer);
        assertThat(errors).as("%s: %s", r.requestId(), r.text()).isEmpty();
        assertThat(r.finishReason()).as("%s: %s", r.requestId(), r.text()).isEqualTo(InferenceResult.FinishReason.STOP);
    }

    @Test
    void everyAnswerUnderABoundedSchemaValidatesAndStopsAloneAndBatched() throws IOException {
        String source = JsonSchemaAutomatonTest.MODERATION;
        JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(source);
        ResponseFormat format = ResponseFormat.jsonSchema(source);
        for (GenerationSettings settings : List.of(GenerationSettings.greedy(96),
                new GenerationSettings(96, 1.0, 0, 1.0, 0.0, 1.05, 7L))) {
            List<InferenceResult> batched = run(requests(format, settings));
            List<InferenceResult> alone = new ArrayList<>();
            for (InferenceRequest r : requests(format, settings)) {
                alone.addAll(run(List.of(r)));
            }
            for (int i = 0; i < images.size(); i++) {
                assertValid(schema, batched.get(i));
                assertValid(schema, alone.get(i));
                assertThat(batched.get(i).tokenIds()).as(images.get(i)).containsExactly(alone.get(i).tokenIds());
            }
            System.out.println("schema answer (" + images.get(0) + ", temperature " + settings.temperature() + "): "
                    + batched.get(0).text());
        }
    }

    @Test
    void aShortBudgetIsSteeredToClose() throws IOException {
        String source = "{\"type\":\"object\",\"properties\":{\"caption\":{\"type\":\"string\"},"
                + "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}},\"required\":[\"caption\",\"tags\"]}";
        JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(source);
        // shortest answer {"caption":"","tags":[]} is 24 bytes: 30 tokens leave little room for noise
        for (InferenceResult r : run(requests(ResponseFormat.jsonSchema(source), new GenerationSettings(30, 1.0, 0, 1.0, 0.0, 1.0, 3L)))) {
            assertValid(schema, r);
            assertThat(r.generatedTokens()).isLessThanOrEqualTo(30);
        }
        // 10 tokens cannot hold it: the answer says so
        InferenceResult cut = run(requests(ResponseFormat.jsonSchema(source), GenerationSettings.greedy(10))).get(0);
        assertThat(cut.finishReason()).isEqualTo(InferenceResult.FinishReason.CONSTRAINT_INCOMPLETE);
    }

    @Test
    void aRegexAnswerMatches() {
        String regex = "(yes|no), [a-z ]{1,12}\\.";
        for (InferenceResult r : run(requests(ResponseFormat.regex(regex), new GenerationSettings(40, 1.0, 0, 1.0, 0.0, 1.0, 11L)))) {
            assertThat(r.text()).as(r.requestId()).matches(Pattern.compile(regex));
            assertThat(r.finishReason()).isEqualTo(InferenceResult.FinishReason.STOP);
        }
    }

    @Test
    void anUnsupportedKeywordFailsTheRequestNamingIt() {
        InferenceRequest r = InferenceRequest.generate("x", TinyModel.imageBytes(images.get(0)), PROMPT, GenerationSettings.greedy(8))
                .withResponse(ResponseFormat.jsonSchema("{\"type\":\"string\",\"format\":\"date-time\"}"));
        Outcome o = engine.runBatch(List.of(r)).get(0);
        assertThat(o).isInstanceOf(Outcome.Failure.class);
        InferenceException e = ((Outcome.Failure) o).error();
        assertThat(e.kind()).isEqualTo(InferenceException.Kind.INVALID_REQUEST);
        assertThat(e.getMessage()).contains("'format'");
    }
}
