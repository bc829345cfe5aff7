package io.vlmstreams.inference.engine;

import io.vlmstreams.inference.constrain.Constraints;
import io.vlmstreams.inference.constrain.TokenBytes;
import io.vlmstreams.inference.generate.BatchGenerator;
import io.vlmstreams.inference.generate.Classifier;
import io.vlmstreams.inference.generate.ContinuousBatch;
import io.vlmstreams.inference.generate.InputEmbedder;
import io.vlmstreams.inference.generate.PolicyScorer;
import io.vlmstreams.inference.image.ImageDecoder;
import io.vlmstreams.inference.image.ImageProcessor;
import io.vlmstreams.inference.image.ImageProcessorConfig;
import io.vlmstreams.inference.model.ModelFolder;
import io.vlmstreams.inference.onnx.OrtRuntime;
import io.vlmstreams.inference.text.PromptBuilder;
import io.vlmstreams.inference.text.SpecialTokens;
import io.vlmstreams.inference.text.TextTokenizer;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Function;

/**
 * The parts of an engine over one model folder, wired once: the CPU side ({@link RequestPreparer}),
 * the model side ({@link BatchRunner}, fresh decode batches) and the memory estimate. The engine
 * runs them; its tests drive them directly. Closing it closes the sessions and the tokenizer.
 */
final class ModelParts implements AutoCloseable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ModelParts.class);


    final ModelFolder folder;
    final TextTokenizer tokenizer;
    final ModelSessions sessions;
    final RequestPreparer preparer;
    final BatchRunner runner;
    final BatchMemoryEstimator estimator;
    private final InputEmbedder embedder;
    private final long padTokenId;
    private final int vocabSize;
    final BatchingPlan plan;
    /** Vision features of images seen before (off when its capacity is 0). */
    ImageFeatureCache imageCache;
    private final BatchSelfCheck selfCheck;

    private ModelParts(ModelFolder folder, TextTokenizer tokenizer, ModelSessions sessions, RequestPreparer preparer,
                       BatchRunner runner, InputEmbedder embedder, long padTokenId, int vocabSize, BatchingPlan plan,
                       BatchSelfCheck selfCheck) {
        this.plan = plan;
        this.selfCheck = selfCheck;
        this.folder = folder;
        this.tokenizer = tokenizer;
        this.sessions = sessions;
        this.preparer = preparer;
        this.runner = runner;
        this.embedder = embedder;
        this.padTokenId = padTokenId;
        this.vocabSize = vocabSize;
        // activations are fp32 whatever the weights' dtype
        this.estimator = new BatchMemoryEstimator(folder.config(), Float.BYTES);
    }

    /** Opens the model folder and its sessions; {@code hooks} and {@code stats} go to the runner. */
    static ModelParts open(EngineConfig config, ModelHooks hooks, EngineStats stats) {
        return open(config, ModelFolder.open(config.modelDir(), config.dtype()), hooks, stats);
    }

    /** Opens the sessions of {@code folder}, the config's folder already read with the config's dtype. */
    static ModelParts open(EngineConfig config, ModelFolder folder, ModelHooks hooks, EngineStats stats) {
        TextTokenizer tokenizer = TextTokenizer.open(folder.tokenizerJson());
        ModelSessions sessions = null;
        try {
            PromptBuilder prompts = PromptBuilder.of(folder, tokenizer);
            SpecialTokens special = prompts.specialTokens();
            ImageProcessor processor = new ImageProcessor(ImageProcessorConfig.fromJson(folder.imageProcessorConfig()));
            // masks need the vocabulary's bytes: read from tokenizer.json when the first constrained request comes
            Constraints constraints = new Constraints(() -> TokenBytes.read(folder.tokenizerJson()), stopTokenIds(special, folder));
            ImageFeatureCache imageCache = new ImageFeatureCache(config.imageCacheBytes(), folder.modelId());
            RequestPreparer preparer = new RequestPreparer(new ImageDecoder(config.imageLimits()), processor, prompts, tokenizer,
                    constraints, imageCache.enabled() ? imageCache : null);
            sessions = new ModelSessions(folder, new OrtRuntime(config.runtime()));
            InputEmbedder embedder = new InputEmbedder(sessions.embed, special.imageTokenId());
            long pad = special.padTokenId();
            int vocab = tokenizer.vocabSize(); // graphs may have more logits than the tokenizer has ids
            ModelSessions open = sessions;
            int heads = folder.config().vision().numAttentionHeads();
            Function<BatchingPlan.VisionSharing, ImageEncoder> encoders = sharing -> new ImageEncoder(open.vision,
                    config.maxEncoderTiles(), heads, ImageEncoder.DEFAULT_MAX_ATTENTION_BYTES, sharing);
            BatchSelfCheck check = new BatchSelfCheck(side -> new ContinuousBatch<>(open.decoder, embedder, pad, vocab, side),
                    encoders, processor, vocab, special.imageTokenId(), BatchingPlan.rightPaddingFits(folder.traits()));
            BatchingPlan plan = checkedPlan(config, folder, sessions.runtime, check);
            LOG.info("Batching plan for {}: {}", folder.modelId(), plan.describe());
            boolean padRows = plan.decode() == BatchingPlan.DecodeSharing.ANY_LENGTHS;
            BatchRunner runner = new BatchRunner(
                    encoders.apply(plan.vision()),
                    new BatchGenerator(sessions.decoder, embedder, pad, vocab, plan.maxPaddingRatio(), plan.decode().paddingSide()),
                    new Classifier(sessions.decoder, embedder, pad, vocab, padRows),
                    new PolicyScorer(sessions.decoder, embedder, pad, vocab, policySharing(plan)),
                    yesNoTokens(tokenizer),
                    imageCache.enabled() ? imageCache : null,
                    stopTokenIds(special, folder),
                    ids -> tokenizer.decode(ids, true),
                    stats, hooks);
            ModelParts made = new ModelParts(folder, tokenizer, sessions, preparer, runner, embedder, pad, vocab, plan, check);
            made.imageCache = imageCache;
            return made;
        } catch (RuntimeException e) {
            if (sessions != null) {
                sessions.close();
            }
            tokenizer.close();
            throw e;
        }
    }

    /** The self-checked plan: a verdict kept for these very graphs on this runtime, or a fresh check (then kept). */
    private static BatchingPlan checkedPlan(EngineConfig config, ModelFolder folder, OrtRuntime runtime, BatchSelfCheck check) {
        if (config.cacheDir() == null) {
            return check.check(BatchingPlan.fromTraits(folder.traits()));
        }
        SelfCheckCache cache = new SelfCheckCache(config.cacheDir());
        String key = SelfCheckCache.key(folder, runtime);
        return cache.find(key)
                .map(kept -> kept.noting("verdict kept in " + cache.dir() + " for these graph files on this ONNX Runtime and CPU"))
                .orElseGet(() -> {
                    BatchingPlan fresh = check.check(BatchingPlan.fromTraits(folder.traits()));
                    cache.store(key, fresh);
                    return fresh;
                });
    }

    /** Question rows share a call as the plan lets rows of a decode batch share one. */
    private static PolicyScorer.Sharing policySharing(BatchingPlan plan) {
        return switch (plan.decode()) {
            case ANY_LENGTHS -> PolicyScorer.Sharing.ANY_LENGTHS;
            // a scoring pass is a prefill: right-padded graphs prefill rows of one length only
            case RIGHT_PADDED, EQUAL_LENGTHS -> PolicyScorer.Sharing.EQUAL_LENGTHS;
            case ONE_ROW -> PolicyScorer.Sharing.ONE_ROW;
        };
    }

    /** The yes/no token sets, found on the first MODERATE request. */
    private static java.util.function.Supplier<YesNoTokens> yesNoTokens(TextTokenizer tokenizer) {
        YesNoTokens[] found = new YesNoTokens[1];
        return () -> {
            if (found[0] == null) {
                found[0] = YesNoTokens.of(tokenizer);
            }
            return found[0];
        };
    }

    private static long[] stopTokenIds(SpecialTokens special, ModelFolder folder) {
        Set<Long> ids = new LinkedHashSet<>();
        special.stopTokenIds().forEach(i -> ids.add(i.longValue()));
        folder.generationConfig().eosTokenIds().forEach(i -> ids.add(i.longValue()));
        return ids.stream().mapToLong(Long::longValue).toArray();
    }

    /** The load-time self-check over these sessions. */
    BatchSelfCheck selfCheck() {
        return selfCheck;
    }

    /** A fresh, empty decode batch over the decoder session. */
    <K> ContinuousBatch<K> newDecodeBatch() {
        return new ContinuousBatch<>(sessions.decoder, embedder, padTokenId, vocabSize, plan.decode().paddingSide());
    }

    @Override
    public void close() {
        sessions.close();
        tokenizer.close();
    }
}
