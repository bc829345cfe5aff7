package io.vlmstreams.inference.engine;

import io.vlmstreams.inference.generate.BatchGenerator;
import io.vlmstreams.inference.generate.BatchTimings;
import io.vlmstreams.inference.generate.ClassificationInput;
import io.vlmstreams.inference.generate.Classifier;
import io.vlmstreams.inference.generate.GenerationInput;
import io.vlmstreams.inference.generate.GenerationOutput;
import io.vlmstreams.inference.generate.PolicyScorer;
import io.vlmstreams.inference.generate.SequenceInput;
import io.vlmstreams.inference.image.ProcessedImage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Runs one model batch of prepared requests: the vision encoder once, then generation for the
 * GENERATE requests and label scoring for the CLASSIFY ones. When the batch fails inside ONNX
 * Runtime it is split in halves and retried ({@link SplitRetry}), down to the single request that
 * fails, so one bad request never fails its batch-mates. {@link DecodeScheduler} uses its parts
 * ({@link #start}, {@link #finish}) to run batches continuously. Not thread-safe: only the model thread runs it.
 */
final class BatchRunner {

    private static final Logger LOG = LoggerFactory.getLogger(BatchRunner.class);

    private final ImageEncoder encoder;
    private final BatchGenerator generator;
    private final Classifier classifier;
    private final PolicyScorer policies;
    private final java.util.function.Supplier<YesNoTokens> yesNo;
    private final ImageFeatureCache imageCache;
    private final long[] stopTokenIds;
    private final Function<long[], String> detokenize;
    private final EngineStats stats;
    private final ModelHooks hooks;

    BatchRunner(ImageEncoder encoder, BatchGenerator generator, Classifier classifier, long[] stopTokenIds,
                Function<long[], String> detokenize, EngineStats stats, ModelHooks hooks) {
        this(encoder, generator, classifier, null, null, null, stopTokenIds, detokenize, stats, hooks);
    }

    /** @param policies scores MODERATE requests (null: they fail); {@code yesNo} gives its token sets */
    BatchRunner(ImageEncoder encoder, BatchGenerator generator, Classifier classifier, PolicyScorer policies,
                java.util.function.Supplier<YesNoTokens> yesNo, ImageFeatureCache imageCache, long[] stopTokenIds,
                Function<long[], String> detokenize, EngineStats stats, ModelHooks hooks) {
        this.imageCache = imageCache;
        this.policies = policies;
        this.yesNo = yesNo;
        this.hooks = hooks;
        this.encoder = encoder;
        this.generator = generator;
        this.classifier = classifier;
        this.stopTokenIds = stopTokenIds;
        this.detokenize = detokenize;
        this.stats = stats;
    }

    /** One outcome per request, in order; {@code queuedNanos[i]} is request i's wait before the model. */
    List<Outcome> run(List<PreparedRequest> batch, long[] queuedNanos) {
        List<Queued> items = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            items.add(new Queued(batch.get(i), queuedNanos[i]));
        }
        return new SplitRetry<Queued, Outcome>(this::runOnce, BatchRunner::failure,
                (size, cause) -> LOG.warn("batch of {} failed ({}); retrying in halves", size, cause.toString()))
                .apply(items);
    }

    /** A request and how long it waited for the model. */
    private record Queued(PreparedRequest request, long queuedNanos) { }

    private static Outcome failure(Queued q, RuntimeException e) {
        String id = q.request().request().requestId();
        LOG.warn("request {} failed in the model: {}", id, e.toString());
        return new Outcome.Failure(id, new InferenceException(InferenceException.Kind.INFERENCE_FAILED,
                "request " + id + ": " + e.getMessage(), e));
    }

    private List<Outcome> runOnce(List<Queued> queued) {
        List<PreparedRequest> batch = new ArrayList<>();
        long[] queuedNanos = new long[queued.size()];
        for (int i = 0; i < queued.size(); i++) {
            batch.add(queued.get(i).request());
            queuedNanos[i] = queued.get(i).queuedNanos();
        }
        return runOnce(batch, queuedNanos);
    }

    private List<Outcome> runOnce(List<PreparedRequest> batch, long[] queuedNanos) {
        Started s = start(batch);
        GenerationOutput[] outputs = new GenerationOutput[batch.size()];
        long prefill = 0;
        long decode = 0;
        long promptTokens = 0;
        if (!s.inputs().isEmpty()) {
            BatchGenerator.Result r = generator.generate(s.inputs());
            BatchTimings t = r.timings();
            prefill = t.prefillNanos();
            decode = t.decodeNanos();
            promptTokens = t.prefillTokens();
            stats.decoded(t.decodeSteps(), t.decodeTokens());
            for (int k = 0; k < s.generating().size(); k++) {
                outputs[s.generating().get(k)] = r.outputs().get(k);
            }
        }
        return finish(batch, queuedNanos, s, outputs, prefill, decode, promptTokens);
    }

    /**
     * The first part of a model batch: the vision encoder for every request, then label scoring for
     * the CLASSIFY ones. What is left is generation: {@code inputs}, for the requests at
     * {@code generating}. Throws when the model fails (the caller isolates the culprit).
     */
    record Started(long encodeNanos, List<Integer> generating, List<GenerationInput> inputs, InferenceResult[] classified,
                   long classifyNanos, long classifyPromptTokens) { }

    Started start(List<PreparedRequest> batch) {
        hooks.beforeModel(batch);
        long t0 = System.nanoTime();
        List<ProcessedImage> images = new ArrayList<>();
        List<Integer> toEncode = new ArrayList<>();
        List<float[]> features = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            PreparedRequest p = batch.get(i);
            features.add(p.cachedFeatures());
            if (p.cachedFeatures() == null) {
                images.add(p.image());
                toEncode.add(i);
            }
        }
        if (!images.isEmpty()) {
            List<float[]> encoded = encoder.encode(images);
            for (int k = 0; k < toEncode.size(); k++) {
                PreparedRequest p = batch.get(toEncode.get(k));
                features.set(toEncode.get(k), encoded.get(k));
                if (imageCache != null) {
                    imageCache.put(p.imageKey(), p.image(), encoded.get(k));
                }
            }
        }
        long encodeNanos = System.nanoTime() - t0;

        List<Integer> genIdx = new ArrayList<>();
        List<GenerationInput> gen = new ArrayList<>();
        List<Integer> clsIdx = new ArrayList<>();
        List<ClassificationInput> cls = new ArrayList<>();
        List<Integer> modIdx = new ArrayList<>();
        List<PolicyScorer.Input> mod = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            PreparedRequest p = batch.get(i);
            SequenceInput seq = new SequenceInput(p.promptIds(), features.get(i));
            if (p.request().mode() == InferenceRequest.Mode.MODERATE) {
                modIdx.add(i);
                mod.add(new PolicyScorer.Input(seq, p.labelTokenIds()));
            } else if (p.request().mode() == InferenceRequest.Mode.CLASSIFY) {
                clsIdx.add(i);
                cls.add(new ClassificationInput(seq, p.labelTokenIds()));
            } else {
                genIdx.add(i);
                gen.add(new GenerationInput(seq, p.request().generation(), stopTokenIds, p.constraint()));
            }
        }
        InferenceResult[] classified = new InferenceResult[batch.size()];
        long classifyNanos = 0;
        long classifyTokens = 0;
        // labels whose first tokens differ are told apart by that token: one row and step, not one per label token
        List<Integer> firstIdx = new ArrayList<>();
        List<ClassificationInput> first = new ArrayList<>();
        for (int k = cls.size() - 1; k >= 0; k--) {
            if (Classifier.firstTokensDiffer(cls.get(k).labelTokenIds())) {
                firstIdx.add(0, clsIdx.remove(k));
                first.add(0, cls.remove(k));
            }
        }
        if (!first.isEmpty()) {
            Classifier.Result r = classifier.scoreFirstTokens(first);
            classifyNanos += r.timings().prefillNanos();
            classifyTokens += r.timings().prefillTokens();
            for (int k = 0; k < firstIdx.size(); k++) {
                classified[firstIdx.get(k)] = labelled(batch.get(firstIdx.get(k)), r.scores().get(k), InferenceResult.FIRST_TOKEN);
            }
        }
        if (!cls.isEmpty()) {
            Classifier.Result r = classifier.score(cls);
            classifyNanos += r.timings().prefillNanos();
            classifyTokens += r.timings().prefillTokens();
            for (int k = 0; k < clsIdx.size(); k++) {
                int i = clsIdx.get(k);
                PreparedRequest p = batch.get(i);
                double[] s = r.scores().get(k);
                List<InferenceResult.LabelScore> scores = new ArrayList<>();
                for (int l = 0; l < s.length; l++) {
                    scores.add(new InferenceResult.LabelScore(p.request().labels().get(l), s[l]));
                }
                String best = p.request().labels().get(Classifier.best(s));
                classified[i] = new InferenceResult(p.request().requestId(), best, List.copyOf(scores),
                        InferenceResult.FinishReason.CLASSIFIED, p.promptIds(), p.imageTokens(), new long[0], null);
            }
        }
        if (!mod.isEmpty()) {
            if (policies == null) {
                throw new IllegalStateException("this engine does not score policies");
            }
            YesNoTokens tokens = yesNo.get();
            PolicyScorer.Result r = policies.score(mod, tokens.yes(), tokens.no());
            classifyNanos += r.timings().prefillNanos();
            classifyTokens += r.timings().prefillTokens();
            for (int k = 0; k < modIdx.size(); k++) {
                int i = modIdx.get(k);
                classified[i] = moderated(batch.get(i), r.yes().get(k));
            }
        }
        return new Started(encodeNanos, List.copyOf(genIdx), List.copyOf(gen), classified, classifyNanos, classifyTokens);
    }

    /** A CLASSIFY result: the labels' scores by {@code method}, the best label as the text. */
    private static InferenceResult labelled(PreparedRequest p, double[] s, String method) {
        List<InferenceResult.LabelScore> scores = new ArrayList<>();
        for (int l = 0; l < s.length; l++) {
            scores.add(new InferenceResult.LabelScore(p.request().labels().get(l), s[l]));
        }
        return new InferenceResult(p.request().requestId(), p.request().labels().get(Classifier.best(s)), List.copyOf(scores),
                InferenceResult.FinishReason.CLASSIFIED, p.promptIds(), p.imageTokens(), new long[0], null, List.of(), false,
                method);
    }

    /** A MODERATE result: every policy's score against its threshold; the text names the flagged ones. */
    private static InferenceResult moderated(PreparedRequest p, double[] yes) {
        List<InferenceResult.PolicyScore> scores = new ArrayList<>();
        List<String> flaggedNames = new ArrayList<>();
        for (int q = 0; q < yes.length; q++) {
            Policy policy = p.request().policies().get(q);
            boolean flagged = yes[q] >= policy.threshold();
            scores.add(new InferenceResult.PolicyScore(policy.name(), yes[q], policy.threshold(), flagged));
            if (flagged) {
                flaggedNames.add(policy.name());
            }
        }
        return new InferenceResult(p.request().requestId(), String.join(",", flaggedNames), List.of(),
                InferenceResult.FinishReason.MODERATED, p.promptIds(), p.imageTokens(), new long[0], null,
                List.copyOf(scores), !flaggedNames.isEmpty(), InferenceResult.POLICY_YES_NO);
    }

    /**
     * The outcomes of a model batch once every generating request has its output (indexed like
     * {@code batch}); records the batch in the stats.
     *
     * @param prefill      generation prefill time spent on this batch
     * @param decode       decode time spent on this batch (its share, when it decoded beside others)
     * @param promptTokens generation prompt tokens prefilled
     */
    List<Outcome> finish(List<PreparedRequest> batch, long[] queuedNanos, Started s, GenerationOutput[] outputs,
                         long prefill, long decode, long promptTokens) {
        long modelNanos = prefill + decode + s.classifyNanos();
        long generated = 0;
        long imageTokens = 0;
        List<Outcome> out = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            PreparedRequest p = batch.get(i);
            imageTokens += p.imageTokens();
            InferenceResult.StageTimings timings = new InferenceResult.StageTimings(ms(queuedNanos[i]),
                    ms(p.preprocessNanos()), ms(s.encodeNanos()), ms(modelNanos));
            InferenceResult r = s.classified()[i];
            if (r == null) {
                GenerationOutput o = outputs[i];
                generated += o.tokenIds().length;
                r = new InferenceResult(p.request().requestId(), detokenize.apply(o.tokenIds()), List.of(),
                        o.incomplete() ? InferenceResult.FinishReason.CONSTRAINT_INCOMPLETE
                                : o.stopped() ? InferenceResult.FinishReason.STOP : InferenceResult.FinishReason.LENGTH,
                        p.promptIds(), p.imageTokens(), o.tokenIds(), null);
            }
            out.add(new Outcome.Success(r.withTimings(timings)));
        }
        stats.batch(batch.size(), imageTokens, s.encodeNanos(), prefill + s.classifyNanos(), decode,
                promptTokens + s.classifyPromptTokens(), generated);
        return out;
    }

    private static long ms(long nanos) {
        return Math.round(nanos / 1e6);
    }
}
