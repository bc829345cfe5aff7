package io.vlmstreams.inference.engine;

import io.vlmstreams.inference.model.Lfm2VlConfig;

import java.util.List;

/**
 * A conservative estimate of the working memory one model batch needs, used to split batches
 * that would not fit the configured budget before they run (an out-of-memory inside ONNX Runtime
 * takes the whole process down, a split costs only throughput).
 *
 * <p>The estimate, in values of {@code bytesPerValue} (4 for fp32 activations):
 * <ul>
 *   <li>sequence length {@code S} = the longest prompt in the batch (image tokens included, since
 *       batched generation pads every row to it) + the most new tokens any member may generate (or
 *       its longest label, when classifying);</li>
 *   <li>KV cache: {@code 2 x layers x hidden x S} per row; every layer is counted as attention,
 *       which over-counts LFM2's short-convolution layers on purpose;</li>
 *   <li>decoder activations: {@code S x (4 x hidden + vocab)} per row: the residual stream and the
 *       MLP of one layer live at a time, and prefill returns logits for every position;</li>
 *   <li>prefill attention: {@code 2 x heads x S^2} per row (scores and probabilities of one layer,
 *       plus the bias), which dominates for tiled images: an 11-tile image gives S near 2,800;</li>
 *   <li>vision encoder, one layer at a time: {@code tiles x patches x 4 x visionHidden} for the hidden
 *       states and MLP plus {@code tiles x visionHeads x patches^2} for the attention scores, which
 *       dominate for large images (many tiles of up to 1024 patches).</li>
 * </ul>
 * A batch of {@code n} rows costs {@code n} times the largest row (padding makes the rows equal):
 * {@link BatchPolicy.Load#memoryBytes()}.
 */
public final class BatchMemoryEstimator {

    private final long layers;
    private final long hidden;
    private final long vocab;
    private final long heads;
    private final long visionHidden;
    private final long visionHeads;
    private final int bytesPerValue;

    public BatchMemoryEstimator(Lfm2VlConfig config, int bytesPerValue) {
        this.layers = config.text().numHiddenLayers();
        this.hidden = config.text().hiddenSize();
        this.vocab = config.text().vocabSize();
        this.heads = config.text().numAttentionHeads();
        this.visionHidden = config.vision().hiddenSize();
        this.visionHeads = config.vision().numAttentionHeads();
        this.bytesPerValue = bytesPerValue;
    }

    /** Estimated bytes of one model batch made of {@code batch}. */
    public long bytes(List<PreparedRequest> batch) {
        return BatchPolicy.Load.of(batch.stream().map(this::cost).toList()).memoryBytes();
    }

    /**
     * What {@code p} costs a model batch: its image tokens and its row's memory alone. The decoder
     * part grows with the sequence length, so the largest member's is that of the longest sequence.
     */
    public BatchPolicy.Cost cost(PreparedRequest p) {
        long length = p.promptIds().length + newTokens(p);
        long kv = 2 * layers * hidden * length;
        long activations = length * (4 * hidden + vocab);
        long prefillAttention = 2 * heads * length * length;
        long patches = p.image().maxPatches();
        long vision = p.image().tiles() * (patches * 4 * visionHidden + visionHeads * patches * patches);
        return new BatchPolicy.Cost(p.imageTokens(), (kv + activations + prefillAttention) * bytesPerValue,
                vision * bytesPerValue);
    }

    private static long newTokens(PreparedRequest p) {
        if (p.request().mode() != InferenceRequest.Mode.GENERATE) {
            return p.labelTokenIds().stream().mapToLong(ids -> ids.length).max().orElse(0);
        }
        return p.request().generation().maxNewTokens();
    }
}
