package io.vlmstreams.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vlmstreams.inference.constrain.Constraints;
import io.vlmstreams.inference.constrain.ResponseFormat;
import io.vlmstreams.inference.engine.GenerationSettings;
import io.vlmstreams.inference.engine.InferenceException;
import io.vlmstreams.inference.engine.InferenceRequest;
import io.vlmstreams.inference.engine.InferenceResult;
import io.vlmstreams.inference.engine.LocalInferenceEngine;
import io.vlmstreams.inference.engine.Outcome;
import io.vlmstreams.inference.engine.Policy;
import io.vlmstreams.inference.engine.PreparedRequest;
import io.vlmstreams.inference.image.ProcessedImage;
import io.vlmstreams.inference.io.Npy;
import io.vlmstreams.inference.io.NpyArray;
import io.vlmstreams.topology.processor.AnswerMapper;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code infer}: runs the model on image files with one prompt and prints one line per image
 * (JSON with {@code --json}). The prompt is the folder's chat template with one user turn holding
 * the image and then the text, plus the generation prompt.
 */
@Command(name = "infer", mixinStandardHelpOptions = true,
        description = "Answer a prompt about each image (or score labels) with a local ONNX model.")
public final class InferCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Mixin
    EngineOptions engine;

    @Option(names = "--image", required = true, arity = "1..*", description = "image files")
    List<Path> images;

    @Option(names = "--prompt",
            description = "user text after the image (default: 'Describe this image.', or with --labels a question naming them)")
    String prompt;

    @Option(names = "--max-new-tokens", defaultValue = "64", description = "default: ${DEFAULT-VALUE}")
    int maxNewTokens;

    @ArgGroup(exclusive = true)
    Decoding decoding;

    /** Greedy, or sampling settings. */
    static final class Decoding {
        @Option(names = "--greedy", description = "argmax decoding (the default)")
        boolean greedy;

        @ArgGroup(exclusive = false)
        Sampling sampling;
    }

    /** Sampling settings; temperature is required to sample. */
    static final class Sampling {
        @Option(names = "--temperature", required = true)
        double temperature;
        @Option(names = "--min-p", defaultValue = "0")
        double minP;
        @Option(names = "--top-k", defaultValue = "0")
        int topK;
        @Option(names = "--top-p", defaultValue = "1")
        double topP;
        @Option(names = "--repetition-penalty", defaultValue = "1")
        double repetitionPenalty;
        @Option(names = "--seed", defaultValue = "0")
        long seed;
    }

    @Option(names = "--labels", split = ",", description = "score these labels instead of generating")
    List<String> labels;

    @Option(names = "--policy", paramLabel = "NAME=QUESTION", description = "moderate: score this yes/no question "
            + "(repeatable); all policies of an image come from one image pass")
    java.util.LinkedHashMap<String, String> policies;

    @Option(names = "--threshold", paramLabel = "NAME=T", description = "a policy's flag threshold (default: 0.5)")
    java.util.Map<String, Double> thresholds;

    @ArgGroup(exclusive = true)
    Response response;

    /** A response format: a JSON schema file or a regex. */
    static final class Response {
        @Option(names = "--schema", description = "every answer is compact JSON valid under this JSON Schema file")
        Path schema;

        @Option(names = "--regex", description = "every answer matches this regular expression as a whole")
        String regex;
    }

    @Option(names = "--batch-size", defaultValue = "8", description = "requests per model batch (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--json", description = "one JSON object per line, shaped as the Answer records `tail` prints")
    boolean json;

    @Option(names = "--token-ids", description = "with --json: add prompt_token_ids and token_ids")
    boolean tokenIds;

    @Option(names = "--dump-inputs", description = "write DIR/<image>/{pixel_values,pixel_attention_mask,spatial_shapes,input_ids}.npy")
    Path dumpInputs;

    private final PrintStream out;

    public InferCommand() {
        this(System.out);
    }

    /** Prints results to {@code out} instead of standard output. */
    public InferCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws IOException {
        GenerationSettings settings = settings();
        ResponseFormat format = responseFormat();
        boolean classify = labels != null && !labels.isEmpty();
        String text = prompt != null ? prompt
                : classify ? "Which of these fits the image best: " + String.join(", ", labels) + "?" : "Describe this image.";
        List<InferenceRequest> requests = new ArrayList<>();
        for (Path image : images) {
            if (!Files.isReadable(image)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "cannot read image " + image);
            }
            byte[] bytes = Files.readAllBytes(image);
            String id = image.getFileName().toString();
            if (policies != null && !policies.isEmpty()) {
                requests.add(InferenceRequest.moderate(id, bytes, prompt, policyList(), null));
                continue;
            }
            requests.add(labels == null || labels.isEmpty()
                    ? InferenceRequest.generate(id, bytes, text, settings).withResponse(format)
                    : InferenceRequest.classify(id, bytes, text, labels, settings));
        }
        int failures = 0;
        java.util.Map<String, Path> files = new java.util.HashMap<>();
        images.forEach(i -> files.putIfAbsent(i.getFileName().toString(), i));
        try (LocalInferenceEngine e = LocalInferenceEngine.open(engine.config(batchSize))) {
            AnswerMapper answers = new AnswerMapper("infer", e.modelId());
            if (dumpInputs != null) {
                dump(e, requests);
            }
            for (int from = 0; from < requests.size(); from += batchSize) {
                List<InferenceRequest> chunk = requests.subList(from, Math.min(requests.size(), from + batchSize));
                for (Outcome o : e.runBatch(chunk)) {
                    if (o instanceof Outcome.Failure) {
                        failures++;
                    }
                    out.println(json ? JSON.writeValueAsString(toJson(o, answers, files.get(o.requestId()), tokenIds))
                            : TerminalText.escape(toText(o)));
                }
            }
        }
        return failures == 0 ? 0 : 1;
    }

    /** The --policy questions with their --threshold (every threshold must name a policy). */
    private List<Policy> policyList() {
        if ((labels != null && !labels.isEmpty()) || response != null) {
            throw new IllegalArgumentException("--policy scores policies: not with --labels, --schema or --regex");
        }
        java.util.Map<String, Double> t = thresholds == null ? java.util.Map.of() : thresholds;
        for (String name : t.keySet()) {
            if (!policies.containsKey(name)) {
                throw new IllegalArgumentException("--threshold " + name + " names no --policy");
            }
        }
        List<Policy> out = new ArrayList<>();
        policies.forEach((name, question) -> out.add(new Policy(name, question, t.getOrDefault(name, Policy.DEFAULT_THRESHOLD))));
        return out;
    }

    /** The --schema / --regex format, checked before the model loads (an unsupported keyword is a one-line error). */
    private ResponseFormat responseFormat() throws IOException {
        if (response == null) {
            return null;
        }
        if (labels != null && !labels.isEmpty()) {
            throw new IllegalArgumentException("--schema and --regex constrain generated answers, not --labels");
        }
        ResponseFormat f;
        if (response.schema != null) {
            if (!Files.isReadable(response.schema)) {
                throw new IllegalArgumentException("cannot read schema " + response.schema);
            }
            f = ResponseFormat.jsonSchema(Files.readString(response.schema));
        } else {
            f = ResponseFormat.regex(response.regex);
        }
        Constraints.check(f); // an unsupported keyword: one error line naming it
        return f;
    }

    private GenerationSettings settings() {
        Sampling s = decoding == null ? null : decoding.sampling;
        if (s == null) {
            return GenerationSettings.greedy(maxNewTokens);
        }
        return new GenerationSettings(maxNewTokens, s.temperature, s.topK, s.topP, s.minP, s.repetitionPenalty, s.seed);
    }

    private void dump(LocalInferenceEngine e, List<InferenceRequest> requests) throws IOException {
        for (InferenceRequest r : requests) {
            PreparedRequest p;
            try {
                p = e.prepare(r);
            } catch (InferenceException ex) {
                continue; // reported with the results
            }
            ProcessedImage img = p.image();
            Path dir = dumpInputs.resolve(r.requestId());
            Files.createDirectories(dir);
            Npy.write(dir.resolve("pixel_values.npy"),
                    NpyArray.ofFloat32(img.pixelValues(), img.tiles(), img.maxPatches(), img.patchValues()));
            Npy.write(dir.resolve("pixel_attention_mask.npy"), NpyArray.ofInt64(img.pixelAttentionMask(), img.tiles(), img.maxPatches()));
            Npy.write(dir.resolve("spatial_shapes.npy"), NpyArray.ofInt64(img.spatialShapes(), img.tiles(), 2));
            Npy.write(dir.resolve("input_ids.npy"), NpyArray.ofInt64(p.promptIds(), 1, p.promptIds().length));
        }
    }

    /**
     * {@code o} as the JSON of the {@link io.vlmstreams.schemas.Answer} the application would publish
     * (what {@code tail} prints), its {@code attributes} holding the {@code file}; a failure keeps
     * {@code event_id} and {@code attributes} and says {@code error} and {@code message} instead.
     */
    static ObjectNode toJson(Outcome o, AnswerMapper answers, Path file, boolean tokenIds) {
        java.util.Map<String, String> attributes = java.util.Map.of("file", file == null ? o.requestId() : file.toString());
        if (o instanceof Outcome.Failure f) {
            ObjectNode n = JSON.createObjectNode();
            n.put("event_id", o.requestId());
            n.putObject("attributes").put("file", attributes.get("file"));
            n.put("error", f.error().kind().name());
            n.put("message", f.error().getMessage());
            return n;
        }
        InferenceResult r = ((Outcome.Success) o).result();
        ObjectNode n = RecordJson.of(answers.toAnswer(o.requestId(), null, attributes, r, r.timings().queuedMs()));
        if (tokenIds) {
            ArrayNode prompt = n.putArray("prompt_token_ids");
            for (long id : r.promptTokenIds()) {
                prompt.add(id);
            }
            ArrayNode tokens = n.putArray("token_ids");
            for (long id : r.tokenIds()) {
                tokens.add(id);
            }
        }
        return n;
    }

    private static String toText(Outcome o) {
        if (o instanceof Outcome.Failure f) {
            return o.requestId() + ": FAILED " + f.error().kind() + " " + f.error().getMessage();
        }
        InferenceResult r = ((Outcome.Success) o).result();
        return o.requestId() + ": " + r.text();
    }
}
