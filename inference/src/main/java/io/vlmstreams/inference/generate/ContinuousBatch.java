package io.vlmstreams.inference.generate;

import io.vlmstreams.inference.onnx.DecoderCache;
import io.vlmstreams.inference.onnx.DecoderSession;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Continuous batching in decode: a running batch that new sequences {@link #join} between steps and
 * finished ones leave. A joining group is prefilled on its own (left-padded among itself), then its
 * caches are merged into the running ones, the shorter past left-padded with masked zeros; every
 * row keeps its own position ids and mask, so its tokens are those it would get alone. Rows that
 * finish are sliced out and left padding no remaining row needs is trimmed. Sampling is per row with
 * its own seeded {@link Sampler}. {@link BatchGenerator} drives one for a whole batch. Not thread-safe (the decoder session
 * is not); close it to release the caches.
 *
 * @param <K> the caller's handle for a sequence, returned with its output
 */
public final class ContinuousBatch<K> implements AutoCloseable {

    /** A sequence that left the batch, with the handle it joined under. */
    public record Finished<K>(K key, GenerationOutput output) { }

    private final DecoderSession decoder;
    private final InputEmbedder embedder;
    private final long padTokenId;
    private List<DecodingRow<K>> active = new ArrayList<>();
    private DecoderCache cache;
    private long[] mask = new long[0];
    private int width;
    private long prefillNanos;
    private long decodeNanos;
    private long prefillTokens;
    private int steps;
    private long decodeTokens;

    public ContinuousBatch(DecoderSession decoder, InputEmbedder embedder, long padTokenId) {
        this.decoder = decoder;
        this.embedder = embedder;
        this.padTokenId = padTokenId;
    }

    /** Sequences still generating. */
    public int size() {
        return active.size();
    }

    /** Keys of the sequences still generating, in row order. */
    public List<K> keys() {
        List<K> keys = new ArrayList<>(active.size());
        for (DecodingRow<K> row : active) {
            keys.add(row.key);
        }
        return keys;
    }

    /** Drops the sequences whose key matches, unfinished (e.g. when their request failed elsewhere). */
    public void leave(Predicate<K> which) {
        List<Integer> keep = new ArrayList<>();
        for (int b = 0; b < active.size(); b++) {
            if (!which.test(active.get(b).key)) {
                keep.add(b);
            }
        }
        if (keep.size() == active.size()) {
            return;
        }
        Running<K> r = keepOnly(new Running<>(active, cache, mask, width), keep);
        active = new ArrayList<>(r.rows);
        cache = r.cache;
        mask = r.mask;
        width = r.width;
    }

    /** Prefill and decode time and token counts so far. */
    public BatchTimings timings() {
        return new BatchTimings(prefillNanos, decodeNanos, prefillTokens, steps, decodeTokens);
    }

    /**
     * Prefills {@code inputs} and adds them to the running batch; returns those already finished by
     * their first token (stop token, or max_new_tokens of 1).
     */
    public List<Finished<K>> join(List<K> keys, List<GenerationInput> inputs) {
        if (keys.size() != inputs.size()) {
            throw new IllegalArgumentException(keys.size() + " keys for " + inputs.size() + " inputs");
        }
        if (inputs.isEmpty()) {
            return List.of();
        }
        long t0 = System.nanoTime();
        List<long[]> prompts = new ArrayList<>();
        List<SequenceInput> seqs = new ArrayList<>();
        for (GenerationInput in : inputs) {
            prompts.add(in.prompt().tokenIds());
            seqs.add(in.prompt());
            prefillTokens += in.prompt().tokenIds().length;
        }
        LeftPaddedBatch batch = LeftPaddedBatch.of(prompts, padTokenId);
        DecoderSession.Step step = new Prefill(decoder, batch, embedder.embed(batch, seqs)).run(1);
        List<DecodingRow<K>> joined = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            joined.add(new DecodingRow<>(keys.get(i), inputs.get(i), batch.lengths()[i]));
        }
        List<Finished<K>> finished = new ArrayList<>();
        Running<K> fresh = advance(new Running<>(joined, step.cache(), batch.mask(), batch.width()), step.logits(), finished);
        merge(fresh);
        prefillNanos += System.nanoTime() - t0;
        return finished;
    }

    /**
     * Joins {@code inputs} in prefill groups of bounded left padding ({@link PrefillGroups}): each
     * group is one {@link #join}; all of them then decode together. Returns those finished by their
     * first token.
     */
    public List<Finished<K>> joinGrouped(List<K> keys, List<GenerationInput> inputs, double maxPaddingRatio) {
        if (keys.size() != inputs.size()) {
            throw new IllegalArgumentException(keys.size() + " keys for " + inputs.size() + " inputs");
        }
        int[] lengths = new int[inputs.size()];
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = inputs.get(i).prompt().tokenIds().length;
        }
        List<Finished<K>> finished = new ArrayList<>();
        for (List<Integer> group : PrefillGroups.plan(lengths, maxPaddingRatio)) {
            List<K> groupKeys = new ArrayList<>(group.size());
            List<GenerationInput> groupInputs = new ArrayList<>(group.size());
            for (int i : group) {
                groupKeys.add(keys.get(i));
                groupInputs.add(inputs.get(i));
            }
            finished.addAll(join(groupKeys, groupInputs));
        }
        return finished;
    }

    /** One decoder step for every running sequence; returns the ones that finished with it. */
    public List<Finished<K>> step() {
        if (active.isEmpty()) {
            return List.of();
        }
        long t0 = System.nanoTime();
        int n = active.size();
        long[] tokens = new long[n];
        long[] positions = new long[n];
        long[] nextMask = new long[n * (width + 1)];
        for (int b = 0; b < n; b++) {
            DecodingRow<K> row = active.get(b);
            tokens[b] = row.lastToken();
            positions[b] = row.position();
            System.arraycopy(mask, b * width, nextMask, b * (width + 1), width);
            nextMask[b * (width + 1) + width] = 1;
        }
        DecoderSession.Step next = decoder.run(embedder.embedTokens(tokens), n, 1, nextMask, positions, cache, 1);
        cache.close();
        steps++;
        decodeTokens += n;
        List<Finished<K>> finished = new ArrayList<>();
        Running<K> r = advance(new Running<>(active, next.cache(), nextMask, width + 1), next.logits(), finished);
        active = r.rows;
        cache = r.cache;
        mask = r.mask;
        width = r.width;
        decodeNanos += System.nanoTime() - t0;
        return finished;
    }

    /** Rows, their caches and mask [rows, width], width == the caches' past length. */
    private record Running<K>(List<DecodingRow<K>> rows, DecoderCache cache, long[] mask, int width) { }

    /** Samples each row's next token from {@code logits}; finished rows leave (their cache rows too). */
    private Running<K> advance(Running<K> r, DecoderSession.Logits logits, List<Finished<K>> finished) {
        List<Integer> keep = new ArrayList<>();
        for (int b = 0; b < r.rows.size(); b++) {
            DecodingRow<K> row = r.rows.get(b);
            row.accept(row.sampler.next(logits.last(b)));
            if (row.done()) {
                finished.add(new Finished<>(row.key, row.output()));
            } else {
                keep.add(b);
            }
        }
        return keepOnly(r, keep);
    }

    /** The rows at {@code keep}, their cache rows sliced out and padding no kept row needs trimmed; closes the old cache. */
    private Running<K> keepOnly(Running<K> r, List<Integer> keep) {
        if (keep.size() == r.rows.size()) {
            return r;
        }
        List<DecodingRow<K>> still = new ArrayList<>();
        for (int b : keep) {
            still.add(r.rows.get(b));
        }
        int[] rows = keep.stream().mapToInt(Integer::intValue).toArray();
        int drop = still.isEmpty() ? 0 : DecodingRow.commonPadding(still, r.width);
        DecoderCache compact = r.cache.select(decoder.runtime().env(), rows, drop);
        r.cache.close();
        return new Running<>(still, compact, DecodingRow.selectMask(r.mask, r.width, rows, drop), r.width - drop);
    }

    /** Appends {@code fresh} to the running batch, left-padding the shorter caches and masks. */
    private void merge(Running<K> fresh) {
        if (fresh.rows.isEmpty()) {
            fresh.cache.close();
            return;
        }
        if (active.isEmpty()) {
            if (cache != null) {
                cache.close();
            }
            active = new ArrayList<>(fresh.rows);
            cache = fresh.cache;
            mask = fresh.mask;
            width = fresh.width;
            return;
        }
        DecoderCache merged;
        try {
            merged = DecoderCache.concat(decoder.runtime().env(), cache, fresh.cache);
        } finally {
            fresh.cache.close();
        }
        cache.close();
        int w = Math.max(width, fresh.width);
        long[] m = new long[(active.size() + fresh.rows.size()) * w];
        int b = 0;
        for (int i = 0; i < active.size(); i++, b++) {
            System.arraycopy(mask, i * width, m, b * w + (w - width), width);
        }
        for (int i = 0; i < fresh.rows.size(); i++, b++) {
            System.arraycopy(fresh.mask, i * fresh.width, m, b * w + (w - fresh.width), fresh.width);
        }
        List<DecodingRow<K>> rows = new ArrayList<>(active);
        rows.addAll(fresh.rows);
        active = rows;
        cache = merged;
        mask = m;
        width = w;
    }

    @Override
    public void close() {
        if (cache != null) {
            cache.close();
            cache = null;
        }
        active = new ArrayList<>();
    }
}
