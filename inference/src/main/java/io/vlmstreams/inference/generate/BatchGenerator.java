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

        Row[] rows = new Row[inputs.size()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = new Row(i, inputs.get(i), batch.lengths()[i]);
        }
        GenerationOutput[] outputs = new GenerationOutput[inputs.size()];
        List<Row> active = new ArrayList<>(Arrays.asList(rows));
        long[] mask = batch.mask();
        int width = batch.width();
        DecoderCache cache = step.cache();
        int steps = 0;
        long decodeTokens = 0;
        try {
            DecoderSession.Logits logits = step.logits();
            while (true) {
                List<Row> still = new ArrayList<>();
                for (int b = 0; b < active.size(); b++) {
                    Row row = active.get(b);
                    row.accept(row.sampler.next(logits.last(b)));
                    if (row.done()) {
                        outputs[row.index] = row.output();
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
                    int drop = commonPadding(still, width);
                    DecoderCache compact = cache.select(decoder.runtime().env(), keep, drop);
                    cache.close();
                    cache = compact;
                    mask = selectMask(mask, width, keep, drop);
                    width -= drop;
                    active = still;
                }
                int n = active.size();
                long[] tokens = new long[n];
                long[] positions = new long[n];
                long[] nextMask = new long[n * (width + 1)];
                for (int b = 0; b < n; b++) {
                    Row row = active.get(b);
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

    /** Leading columns that are padding in every remaining row. */
    private static int commonPadding(List<Row> rows, int width) {
        int pad = width;
        for (Row r : rows) {
            pad = Math.min(pad, width - r.cachedLength());
        }
        return Math.max(0, pad);
    }

    private static long[] selectMask(long[] mask, int width, int[] keep, int drop) {
        int w = width - drop;
        long[] out = new long[keep.length * w];
        for (int k = 0; k < keep.length; k++) {
            System.arraycopy(mask, keep[k] * width + drop, out, k * w, w);
        }
        return out;
    }

    /** One sequence's decoding state. */
    private static final class Row {
        final int index;
        final GenerationInput input;
        final Sampler sampler;
        final int promptLength;
        final List<Long> tokens = new ArrayList<>();
        boolean stopped;

        Row(int index, GenerationInput input, int promptLength) {
            this.index = index;
            this.input = input;
            this.promptLength = promptLength;
            this.sampler = new Sampler(input.settings(), input.prompt().tokenIds());
        }

        void accept(int token) {
            tokens.add((long) token);
            stopped = input.stopsAt(token);
        }

        boolean done() {
            return stopped || tokens.size() >= input.settings().maxNewTokens();
        }

        long lastToken() {
            return tokens.get(tokens.size() - 1);
        }

        /** Position id of the token about to be fed: prompt plus generated tokens before it. */
        long position() {
            return promptLength + tokens.size() - 1;
        }

        /** Real positions in the cache once the last token has been fed. */
        int cachedLength() {
            return promptLength + tokens.size() - 1;
        }

        GenerationOutput output() {
            return new GenerationOutput(tokens.stream().mapToLong(Long::longValue).toArray(), stopped);
        }
    }
}
