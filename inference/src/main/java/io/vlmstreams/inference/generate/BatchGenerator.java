package io.vlmstreams.inference.generate;

import io.vlmstreams.inference.onnx.DecoderSession;
import io.vlmstreams.inference.onnx.PaddingSide;

import java.util.ArrayList;
import java.util.List;

/**
 * Generates for several sequences at once. Prompts of similar length are prefilled together
 * ({@link PrefillGroups}, so left padding stays bounded), then every group decodes in one
 * {@link ContinuousBatch}: one decoder step per token for all sequences still running, caches fed
 * back natively, finished sequences sliced out. A decode step reads the weights once whatever the
 * batch, so this is where batching pays on a CPU. Each sequence samples with its own seeded
 * {@link Sampler}, so its tokens do not depend on its batch-mates. Not thread-safe (the decoder
 * session is not).
 */
public final class BatchGenerator {

    private final DecoderSession decoder;
    private final InputEmbedder embedder;
    private final long padTokenId;
    private final int vocabSize;
    private final double maxPaddingRatio;
    private final PaddingSide padding;

    /** @param vocabSize ids the tokenizer defines: logits at or past it are never sampled */
    public BatchGenerator(DecoderSession decoder, InputEmbedder embedder, long padTokenId, int vocabSize) {
        this(decoder, embedder, padTokenId, vocabSize, PrefillGroups.DEFAULT_MAX_PADDING_RATIO);
    }

    /** @param maxPaddingRatio see {@link PrefillGroups}; infinity prefills the whole batch in one padded pass */
    public BatchGenerator(DecoderSession decoder, InputEmbedder embedder, long padTokenId, int vocabSize,
                          double maxPaddingRatio) {
        this(decoder, embedder, padTokenId, vocabSize, maxPaddingRatio, PaddingSide.LEFT);
    }

    /**
     * @param maxPaddingRatio see {@link PrefillGroups}
     * @param padding         where shorter rows' caches are padded ({@link ContinuousBatch})
     */
    public BatchGenerator(DecoderSession decoder, InputEmbedder embedder, long padTokenId, int vocabSize,
                          double maxPaddingRatio, PaddingSide padding) {
        this.padding = padding;
        this.decoder = decoder;
        this.embedder = embedder;
        this.padTokenId = padTokenId;
        this.vocabSize = vocabSize;
        this.maxPaddingRatio = maxPaddingRatio;
    }

    /** The outputs, one per input in order, and where the time went. */
    public record Result(List<GenerationOutput> outputs, BatchTimings timings) { }

    public Result generate(List<GenerationInput> inputs) {
        List<Integer> keys = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            keys.add(i);
        }
        GenerationOutput[] outputs = new GenerationOutput[inputs.size()];
        try (ContinuousBatch<Integer> batch = new ContinuousBatch<>(decoder, embedder, padTokenId, vocabSize, padding)) {
            collect(batch.joinGrouped(keys, inputs, maxPaddingRatio), outputs);
            while (batch.size() > 0) {
                collect(batch.step(), outputs);
            }
            return new Result(List.of(outputs), batch.timings());
        }
    }

    private static void collect(List<ContinuousBatch.Finished<Integer>> finished, GenerationOutput[] outputs) {
        for (ContinuousBatch.Finished<Integer> f : finished) {
            outputs[f.key()] = f.output();
        }
    }
}
