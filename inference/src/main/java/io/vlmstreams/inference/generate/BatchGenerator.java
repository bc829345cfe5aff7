package io.vlmstreams.inference.generate;

import io.vlmstreams.inference.onnx.DecoderCache;
import io.vlmstreams.inference.onnx.DecoderSession;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Generates for several sequences at once: one left-padded prefill, then one decoder step per
 * token for every sequence still running, feeding the caches back natively. A sequence that
 * stops (stop token or max_new_tokens) leaves the batch: its rows are sliced out of the caches,
 * and left padding no remaining row needs is trimmed, so later steps cost only what is left.
 * Each sequence samples with its own seeded {@link Sampler}, so its tokens do not depend on its
 * batch-mates. Not thread-safe (the decoder session is not).
 */
public final class BatchGenerator {

    private final DecoderSession decoder;
    private final InputEmbedder embedder;
    private final long padTokenId;

    public BatchGenerator(DecoderSession decoder, InputEmbedder embedder, long padTokenId) {
        this.decoder = decoder;
        this.embedder = embedder;
        this.padTokenId = padTokenId;
    }

    /** The outputs, one per input in order, and where the time went. */
    public record Result(List<GenerationOutput> outputs, BatchTimings timings) { }

    public Result generate(List<GenerationInput> inputs) {
        long t0 = System.nanoTime();
        List<long[]> prompts = new ArrayList<>();
        List<SequenceInput> seqs = new ArrayList<>();
        long prefillTokens = 0;
        for (GenerationInput in : inputs) {
            prompts.add(in.prompt().tokenIds());
            seqs.add(in.prompt());
            prefillTokens += in.prompt().tokenIds().length;
        }
        LeftPaddedBatch batch = LeftPaddedBatch.of(prompts, padTokenId);
        float[] embeds = embedder.embed(batch, seqs);
        Prefill prefill = new Prefill(decoder, batch, embeds);
        DecoderSession.Step step = prefill.run(1);
        long t1 = System.nanoTime();

        @SuppressWarnings("unchecked")
        DecodingRow<Integer>[] rows = new DecodingRow[inputs.size()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = new DecodingRow<>(i, inputs.get(i), batch.lengths()[i]);
        }
        GenerationOutput[] outputs = new GenerationOutput[inputs.size()];
        List<DecodingRow<Integer>> active = new ArrayList<>(Arrays.asList(rows));
        long[] mask = batch.mask();
        int width = batch.width();
        DecoderCache cache = step.cache();
        int steps = 0;
        long decodeTokens = 0;
        try {
            DecoderSession.Logits logits = step.logits();
            while (true) {
                List<DecodingRow<Integer>> still = new ArrayList<>();
                for (int b = 0; b < active.size(); b++) {
                    DecodingRow<Integer> row = active.get(b);
                    row.accept(row.sampler.next(logits.last(b)));
                    if (row.done()) {
                        outputs[row.key] = row.output();
                    } else {
                        still.add(row);
                    }
                }
                if (still.isEmpty()) {
                    break;
                }
                if (still.size() < active.size()) {
                    int[] keep = new int[still.size()];
                    for (int k = 0; k < keep.length; k++) {
                        keep[k] = active.indexOf(still.get(k));
                    }
                    int drop = DecodingRow.commonPadding(still, width);
                    DecoderCache compact = cache.select(decoder.runtime().env(), keep, drop);
                    cache.close();
                    cache = compact;
                    mask = DecodingRow.selectMask(mask, width, keep, drop);
                    width -= drop;
                    active = still;
                }
                int n = active.size();
                long[] tokens = new long[n];
                long[] positions = new long[n];
                long[] nextMask = new long[n * (width + 1)];
                for (int b = 0; b < n; b++) {
                    DecodingRow<Integer> row = active.get(b);
                    tokens[b] = row.lastToken();
                    positions[b] = row.position();
                    System.arraycopy(mask, b * width, nextMask, b * (width + 1), width);
                    nextMask[b * (width + 1) + width] = 1;
                }
                mask = nextMask;
                width++;
                DecoderSession.Step next = decoder.run(embedder.embedTokens(tokens), n, 1, mask, positions, cache, 1);
                cache.close();
                cache = next.cache();
                logits = next.logits();
                steps++;
                decodeTokens += n;
            }
        } finally {
            cache.close();
        }
        long t2 = System.nanoTime();
        return new Result(List.of(outputs), new BatchTimings(t1 - t0, t2 - t1, prefillTokens, steps, decodeTokens));
    }
}
