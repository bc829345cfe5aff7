package io.vlmstreams.inference.generate;

import io.vlmstreams.inference.onnx.DecoderCache;
import io.vlmstreams.inference.onnx.DecoderSession;

/**
 * The prompt pass of a left-padded batch, asking for logits of only the last {@code keep}
 * positions. When the graph cannot be told to keep fewer logits (no num_logits_to_keep input),
 * the prompt runs in two parts: all but the last {@code keep} positions without logits (so the
 * language-model head never runs over the prompt), then the last ones with.
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
        int b = batch.batch();
        int w = batch.width();
        DecoderCache empty = decoder.emptyCache(b);
        try {
            int split = decoder.declaresNumLogitsToKeep() ? 0 : w - keep;
            if (split <= 0) {
                return decoder.run(embeds, b, w, batch.mask(), batch.positions(), empty, keep);
            }
            int hidden = embeds.length / (b * w);
            DecoderSession.Step head = decoder.run(
                    LeftPaddedBatch.columns(embeds, b, w, hidden, 0, split), b, split,
                    LeftPaddedBatch.columns(batch.mask(), b, w, 0, split),
                    LeftPaddedBatch.columns(batch.positions(), b, w, 0, split), empty, 0);
            try (DecoderCache headCache = head.cache()) {
                return decoder.run(
                        LeftPaddedBatch.columns(embeds, b, w, hidden, split, w), b, w - split,
                        batch.mask(),
                        LeftPaddedBatch.columns(batch.positions(), b, w, split, w), headCache, keep);
            }
        } finally {
            empty.close();
        }
    }
}
