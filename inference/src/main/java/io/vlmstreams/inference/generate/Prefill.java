package io.vlmstreams.inference.generate;

import io.vlmstreams.inference.onnx.DecoderCache;
import io.vlmstreams.inference.onnx.DecoderSession;

/**
 * The prompt pass of a left-padded batch, in one decoder run that returns logits of only the last
 * {@code keep} positions. A graph declaring num_logits_to_keep skips the language-model head over
 * the rest of the prompt; for one that does not, {@link DecoderSession#run} trims the full logits.
 *
 * <p>Why no two-part run for graphs without num_logits_to_keep (the prompt but its last positions
 * without asking for logits, then the last positions): ONNX Runtime executes the whole graph
 * whatever outputs a run asks for (microsoft/onnxruntime#16483, #16013), so the first part still
 * pays the head. Measured on the 450m synthetic model, a 1,000-token prompt on one intra-op
 * thread: 7.8 s of CPU time either way (one run 7.65-7.91 s, two parts 7.63-8.13 s, 4 rounds),
 * against 6.3-6.6 s for one run of a graph that declares num_logits_to_keep (the head is ~19% of
 * the prompt's FLOPs).
 */
final class Prefill {

    private final DecoderSession decoder;
    private final LeftPaddedBatch batch;
    private final float[] embeds;

    Prefill(DecoderSession decoder, LeftPaddedBatch batch, float[] embeds) {
        this.decoder = decoder;
        this.batch = batch;
        this.embeds = embeds;
    }

    /** Runs the prompt; the returned step's cache belongs to the caller. */
    DecoderSession.Step run(int keep) {
        try (DecoderCache empty = decoder.emptyCache(batch.batch())) {
            return decoder.run(embeds, batch.batch(), batch.width(), batch.mask(), batch.positions(), empty, keep);
        }
    }
}
