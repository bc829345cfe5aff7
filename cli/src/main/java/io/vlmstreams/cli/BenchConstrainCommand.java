package io.vlmstreams.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vlmstreams.convert.synth.SyntheticTokenizer;
import io.vlmstreams.inference.constrain.ByteDfa;
import io.vlmstreams.inference.constrain.ConstraintState;
import io.vlmstreams.inference.constrain.Constraints;
import io.vlmstreams.inference.constrain.ResponseFormat;
import io.vlmstreams.inference.constrain.TokenBytes;
import io.vlmstreams.inference.constrain.TokenMasks;
import io.vlmstreams.inference.engine.EngineConfig;
import io.vlmstreams.inference.engine.GenerationSettings;
import io.vlmstreams.inference.engine.ImageOptions;
import io.vlmstreams.inference.engine.InferenceRequest;
import io.vlmstreams.inference.engine.InferenceResult;
import io.vlmstreams.inference.engine.LocalInferenceEngine;
import io.vlmstreams.inference.engine.Outcome;
import io.vlmstreams.inference.generate.LogitsProcessors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * {@code bench-constrain}: what constrained answers cost. Schema compile time; mask time per decode
 * step (p50, p99: the cached mask applied to a step's logits, steering included) on a vocabulary of
 * the real size (the 450m-shaped synthetic tokenizer, 65,536 entries, unless {@code --tokenizer}),
 * walking answers chosen by random logits; the first visit of each automaton state (its mask built)
 * apart; and with {@code --model}, end-to-end time per image constrained vs free text on the same
 * images and token budget. Figures only.
 */
@Command(name = "bench-constrain", mixinStandardHelpOptions = true,
        description = "Measure schema compile time, mask time per step and the end-to-end cost of constrained answers.")
public final class BenchConstrainCommand implements Callable<Integer> {

    /** A bounded moderation answer, the kind the tests use. */
    static final String DEFAULT_SCHEMA = """
            {"type":"object","properties":{
              "label":{"enum":["safe","nsfw","violence","self-harm"]},
              "confidence":{"type":"number","minimum":0,"maximum":1},
              "people":{"type":"integer","minimum":0,"maximum":50},
              "weapon":{"type":"boolean"},
              "caption":{"type":"string","maxLength":60},
              "tags":{"type":"array","items":{"type":"string","pattern":"^[a-z]{1,12}$"},"minItems":1,"maxItems":4}
            },"required":["label","confidence","people","weapon","caption","tags"]}""";

    @Option(names = "--schema", description = "JSON schema file (default: a bounded moderation answer)")
    Path schemaFile;

    @Option(names = "--tokenizer", description = "tokenizer.json (default: the 450m-shaped synthetic one, 65,536 entries)")
    Path tokenizer;

    @Option(names = "--answers", defaultValue = "200", description = "random answers walked for the mask timings (default: ${DEFAULT-VALUE})")
    int answers;

    @Option(names = "--max-new-tokens", defaultValue = "96", description = "token budget per answer (default: ${DEFAULT-VALUE})")
    int maxNewTokens;

    @Option(names = "--model", description = "also time an engine on this folder, constrained vs free text, over --image")
    Path model;

    @Option(names = "--image", arity = "1..*", description = "images for the end-to-end comparison")
    List<Path> images;

    @Option(names = "--max-image-tokens", description = "end to end: image tokens per tile, one tile (default: the model's, tiled)")
    Integer maxImageTokens;

    @Option(names = "--rounds", defaultValue = "3", description = "end-to-end rounds, the first one a warm-up (default: ${DEFAULT-VALUE})")
    int rounds;

    private final PrintStream out;

    public BenchConstrainCommand() {
        this(System.out);
    }

    BenchConstrainCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws IOException {
        String schema = schemaFile == null ? DEFAULT_SCHEMA : Files.readString(schemaFile);
        ResponseFormat format = ResponseFormat.jsonSchema(schema);
        compileTimes(format);
        String tokenizerJson = tokenizer == null ? SyntheticTokenizer.json(SyntheticTokenizer.SIZE_450M) : Files.readString(tokenizer);
        long t0 = System.nanoTime();
        TokenBytes bytes = TokenBytes.of(new ObjectMapper().readTree(tokenizerJson));
        Constraints constraints = new Constraints(() -> bytes, new long[] {7});
        TokenMasks masks = constraints.compile(format);
        out.printf(Locale.ROOT, "vocabulary: %,d ids, read and trie built with the first compile in %.1f ms%n",
                bytes.size(), (System.nanoTime() - t0) / 1e6);
        maskTimes(masks, bytes.size());
        if (model != null) {
            endToEnd(format);
        }
        return 0;
    }

    private void compileTimes(ResponseFormat format) {
        double[] ms = new double[7];
        int states = 0;
        for (int i = 0; i < ms.length; i++) {
            long t0 = System.nanoTime();
            ByteDfa dfa = ByteDfa.of(format.automaton());
            ms[i] = (System.nanoTime() - t0) / 1e6;
            states = dfa.states();
        }
        out.printf(Locale.ROOT, "schema compile (schema -> byte DFA, %d states): first %.1f ms, then median %.1f ms of %d%n",
                states, ms[0], median(Arrays.copyOfRange(ms, 1, ms.length)), ms.length - 1);
    }

    private void maskTimes(TokenMasks masks, int vocab) {
        SplittableRandom random = new SplittableRandom(42);
        float[] logits = new float[vocab];
        List<Long> warm = new ArrayList<>();
        List<Long> cold = new ArrayList<>();
        int complete = 0;
        long tokens = 0;
        for (int a = 0; a < answers; a++) {
            ConstraintState state = masks.start();
            for (int step = 0; step < maxNewTokens; step++) {
                for (int i = 0; i < vocab; i++) {
                    logits[i] = (float) random.nextGaussian();
                }
                int before = masks.cachedStates();
                long t0 = System.nanoTime();
                int remaining = maxNewTokens - step;
                int token = state.forced(remaining);
                if (token < 0) {
                    token = LogitsProcessors.argmax(state.mask(logits, remaining));
                }
                long took = System.nanoTime() - t0;
                (masks.cachedStates() > before ? cold : warm).add(took);
                state.accept(token);
                tokens++;
                if (state.complete()) {
                    complete++;
                    break;
                }
            }
        }
        out.printf(Locale.ROOT, "mask per step on %,d ids (%d answers, %,d steps, %d complete): p50 %.1f us, p99 %.1f us; "
                        + "first visit of a state (mask built): %d states, p50 %.2f ms, max %.2f ms%n",
                vocab, answers, tokens, complete, pct(warm, 50) / 1e3, pct(warm, 99) / 1e3, cold.size(), pct(cold, 50) / 1e6,
                pct(cold, 100) / 1e6);
    }

    private void endToEnd(ResponseFormat format) throws IOException {
        List<byte[]> bytes = new ArrayList<>();
        for (Path p : images) {
            bytes.add(Files.readAllBytes(p));
        }
        try (LocalInferenceEngine engine = LocalInferenceEngine.open(EngineConfig.defaults(model))) {
            double free = 0;
            double constrained = 0;
            long freeTokens = 0;
            long constrainedTokens = 0;
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < bytes.size(); i++) {
                    InferenceRequest plain = new InferenceRequest("i" + i, bytes.get(i), "Describe this image as JSON.",
                            InferenceRequest.Mode.GENERATE, List.of(), GenerationSettings.greedy(maxNewTokens),
                            maxImageTokens == null ? null : new ImageOptions(null, maxImageTokens, false));
                    long t0 = System.nanoTime();
                    InferenceResult a = result(engine.runBatch(List.of(plain)).get(0));
                    long t1 = System.nanoTime();
                    InferenceResult b = result(engine.runBatch(List.of(plain.withResponse(format))).get(0));
                    long t2 = System.nanoTime();
                    if (round > 0) {
                        free += (t1 - t0) / 1e6;
                        constrained += (t2 - t1) / 1e6;
                        freeTokens += a.generatedTokens();
                        constrainedTokens += b.generatedTokens();
                    }
                }
            }
            out.printf(Locale.ROOT, "end to end on %s, %d images x %d rounds: free text %.2f ms/token (%d tokens), "
                            + "constrained %.2f ms/token (%d tokens): %.2fx per token%n", engine.modelId(), bytes.size(), rounds - 1,
                    free / freeTokens, freeTokens, constrained / constrainedTokens, constrainedTokens,
                    (constrained / constrainedTokens) / (free / freeTokens));
        }
    }

    private static InferenceResult result(Outcome o) {
        if (o instanceof Outcome.Failure f) {
            throw new IllegalStateException(f.error().getMessage());
        }
        return ((Outcome.Success) o).result();
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static double pct(List<Long> v, int p) {
        if (v.isEmpty()) {
            return 0;
        }
        long[] s = v.stream().mapToLong(Long::longValue).sorted().toArray();
        return s[Math.min(s.length - 1, (int) Math.ceil(p / 100.0 * s.length) - 1 < 0 ? 0 : (int) Math.ceil(p / 100.0 * s.length) - 1)];
    }
}
