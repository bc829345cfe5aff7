package io.vlmstreams.inference.generate;

import io.vlmstreams.inference.onnx.DecoderCache;
import io.vlmstreams.inference.onnx.DecoderSession;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The prompt pass of a left-padded batch, in one decoder run that returns logits of only the last
 * {@code keep} positions. A graph declaring num_logits_to_keep skips the language-model head over
 * the rest of the prompt; for one that does not, {@link DecoderSession#run} reads only the kept
 * positions out of the full logits.
 *
 * <p>A graph without num_logits_to_keep writes logits for every prompt position, so a batch whose
 * logits would pass {@link DecoderSession#MAX_LOGITS_BYTES} runs in consecutive slices of rows
 * (each row keeps its padding, mask and positions, so its values are those of the whole batch) and
 * their caches are stacked; a single row over the bound fails with the decoder's message.
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
    private final int rowsPerRun;

    Prefill(DecoderSession decoder, LeftPaddedBatch batch, float[] embeds) {
        this(decoder, batch, embeds, 0);
    }

    /** @param rowsPerRun rows per decoder run; 0 for as many as {@link DecoderSession#maxRowsPerRun} allows (tests set it) */
    Prefill(DecoderSession decoder, LeftPaddedBatch batch, float[] embeds, int rowsPerRun) {
        this.decoder = decoder;
        this.batch = batch;
        this.embeds = embeds;
        this.rowsPerRun = rowsPerRun;
    }

    /** Runs the prompt; the returned step's cache belongs to the caller. */
    DecoderSession.Step run(int keep) {
        int rows = batch.batch();
        int perRun = rowsPerRun > 0 ? rowsPerRun : decoder.maxRowsPerRun(batch.width(), keep);
        if (perRun >= rows || perRun == 0) {
            return runRows(0, rows, keep);
        }
        List<DecoderCache> made = new ArrayList<>();
        try {
            List<DecoderSession.Logits> logits = new ArrayList<>();
            List<DecoderCache> parts = new ArrayList<>();
            for (int from = 0; from < rows; from += perRun) {
                DecoderSession.Step part = runRows(from, Math.min(rows, from + perRun), keep);
                made.add(part.cache());
                parts.add(part.cache());
                if (part.logits() != null) {
                    // the next run reuses the decoder's logits buffer
                    logits.add(part.logits().copy());
                }
            }
            DecoderCache joined = parts.get(0);
            for (int i = 1; i < parts.size(); i++) {
                joined = DecoderCache.concat(decoder.runtime().env(), joined, parts.get(i));
                made.add(joined);
            }
            made.remove(joined);
            return new DecoderSession.Step(logits.isEmpty() ? null : DecoderSession.Logits.stack(logits), joined);
        } finally {
            made.forEach(DecoderCache::close);
        }
    }

    /** One decoder run over rows {@code from} (inclusive) to {@code to} (exclusive) of the batch. */
    private DecoderSession.Step runRows(int from, int to, int keep) {
        int width = batch.width();
        int n = to - from;
        float[] rowEmbeds = embeds;
        long[] mask = batch.mask();
        long[] positions = batch.positions();
        if (n != batch.batch()) {
            int hidden = embeds.length / (batch.batch() * width);
            rowEmbeds = Arrays.copyOfRange(embeds, from * width * hidden, to * width * hidden);
            mask = Arrays.copyOfRange(mask, from * width, to * width);
            positions = Arrays.copyOfRange(positions, from * width, to * width);
        }
        try (DecoderCache empty = decoder.emptyCache(n)) {
            return decoder.run(rowEmbeds, n, width, mask, positions, empty, keep);
        }
    }
}
