package io.vlmstreams.inference.generate;

import io.vlmstreams.inference.onnx.DecoderCache;
import io.vlmstreams.inference.onnx.DecoderSession;
import io.vlmstreams.inference.onnx.PaddingSide;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * Continuous batching in decode: a running batch that new sequences {@link #join} between steps and
 * finished ones leave. A joining group is prefilled on its own, then its caches are merged into the
 * running ones, the shorter past padded with masked zeros; every row keeps its own position ids and
 * mask, so its tokens are those it would get alone. Rows that finish are sliced out and padding no
 * remaining row needs is trimmed. Padding goes on the {@link PaddingSide} the graph needs: LEFT (a
 * joining group may be left-padded among itself too), or RIGHT for graphs that read each row's length
 * from the mask sum, where a row's new position is written right after its own and a joining group
 * holds prompts of one length only (the conv layers would take right padding as their state). Sampling is per row with
 * its own seeded {@link Sampler}, over the ids the tokenizer defines only. {@link BatchGenerator}
 * drives one for a whole batch. Not thread-safe (the decoder session is not); close it to release
 * the caches.
 *
 * <p>A {@link #step} or {@link #join} either applies completely or not at all. When anything after
 * the decoder run fails (sampling, slicing finished rows out, merging caches), the caches that run
 * made are closed and the batch stays as it was: on its previous, still-open cache, with every row's
 * tokens and sampler unchanged, so the caller may run the step again (and gets the same tokens), let
 * some rows {@link #leave}, or close the batch.
 *
 * @param <K> the caller's handle for a sequence, returned with its output
 */
public final class ContinuousBatch<K> implements AutoCloseable {

    /** A sequence that left the batch, with the handle it joined under. */
    public record Finished<K>(K key, GenerationOutput output) { }

    private final DecoderSession decoder;
    private final InputEmbedder embedder;
    private final long padTokenId;
    private final int vocabSize;
    private final PaddingSide padding;
    private List<DecodingRow<K>> active = new ArrayList<>();
    private DecoderCache cache;
    private long[] mask = new long[0];
    private int width;
    private long prefillNanos;
    private long decodeNanos;
    private long prefillTokens;
    private int steps;
    private long decodeTokens;
    /** Runs after a step or join is planned and before it is applied; tests throw from here to fail that point. */
    Runnable beforeApply = () -> { };
    private BiConsumer<K, float[]> logitsObserver;

    /** @param vocabSize ids the tokenizer defines: logits at or past it are never sampled */
    public ContinuousBatch(DecoderSession decoder, InputEmbedder embedder, long padTokenId, int vocabSize) {
        this(decoder, embedder, padTokenId, vocabSize, PaddingSide.LEFT);
    }

    /**
     * @param vocabSize ids the tokenizer defines: logits at or past it are never sampled
     * @param padding   where shorter rows' caches are padded
     */
    public ContinuousBatch(DecoderSession decoder, InputEmbedder embedder, long padTokenId, int vocabSize, PaddingSide padding) {
        if (vocabSize < 1) {
            throw new IllegalArgumentException("vocabulary size must be positive, got " + vocabSize);
        }
        this.decoder = decoder;
        this.embedder = embedder;
        this.padTokenId = padTokenId;
        this.vocabSize = vocabSize;
        this.padding = java.util.Objects.requireNonNull(padding, "padding");
    }

    /**
     * Hands every row's next-token logits (over the tokenizer's ids) to {@code observer} as they are
     * read, before sampling; the engine's load-time self-check compares rows alone and batched by them.
     */
    public ContinuousBatch<K> observingLogits(BiConsumer<K, float[]> observer) {
        this.logitsObserver = java.util.Objects.requireNonNull(observer, "observer");
        return this;
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
        Running<K> r = keepOnly(new Running<>(active, cache, mask, width), keep, 0);
        if (r.cache != cache) {
            cache.close();
        }
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
     * their first token (stop token, or max_new_tokens of 1). When it fails, the running batch is as
     * it was and none of {@code inputs} joined. With RIGHT padding the prompts must be of one length.
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
        long tokens = 0;
        for (GenerationInput in : inputs) {
            prompts.add(in.prompt().tokenIds());
            seqs.add(in.prompt());
            tokens += in.prompt().tokenIds().length;
        }
        if (padding == PaddingSide.RIGHT && prompts.stream().mapToInt(p -> p.length).distinct().count() > 1) {
            throw new IllegalArgumentException("a right-padded batch prefills prompts of one length together, got "
                    + prompts.stream().map(p -> String.valueOf(p.length)).toList());
        }
        LeftPaddedBatch batch = LeftPaddedBatch.of(prompts, padTokenId);
        DecoderSession.Step step = new Prefill(decoder, batch, embedder.embed(batch, seqs)).run(1);
        List<DecodingRow<K>> joined = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            joined.add(new DecodingRow<>(keys.get(i), inputs.get(i), batch.lengths()[i], vocabSize));
        }
        Planned<K> planned = planOrClose(new Running<>(joined, step.cache(), batch.mask(), batch.width()), step.logits());
        merge(planned.kept);
        List<Finished<K>> finished = apply(planned);
        prefillTokens += tokens;
        prefillNanos += System.nanoTime() - t0;
        return finished;
    }

    /**
     * Joins {@code inputs} in prefill groups of bounded left padding ({@link PrefillGroups}): each
     * group is one {@link #join}; all of them then decode together. Returns those finished by their
     * first token. With RIGHT padding each group holds prompts of one length, whatever the ratio.
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
        double ratio = padding == PaddingSide.RIGHT ? 1.0 : maxPaddingRatio;
        for (List<Integer> group : PrefillGroups.plan(lengths, ratio)) {
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

    /**
     * One decoder step for every running sequence; returns the ones that finished with it. When it
     * fails, the batch is as it was before the call.
     */
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
            // the graph writes the fed token after the row's own positions: the last column, or (right-padded) right after them
            int at = padding == PaddingSide.LEFT ? width : row.cachedLength();
            nextMask[b * (width + 1) + at] = 1;
        }
        DecoderSession.Step next = decoder.run(embedder.embedTokens(tokens), n, 1, nextMask, positions, cache, 1);
        Planned<K> planned = planOrClose(new Running<>(active, next.cache(), nextMask, width + 1), next.logits());
        // from here nothing fails: the previous cache goes, the plan becomes the batch
        cache.close();
        List<Finished<K>> finished = apply(planned);
        active = planned.kept.rows;
        cache = planned.kept.cache;
        mask = planned.kept.mask;
        width = planned.kept.width;
        steps++;
        decodeTokens += n;
        decodeNanos += System.nanoTime() - t0;
        return finished;
    }

    /** Rows, their caches and mask [rows, width], width == the caches' past length. */
    private record Running<K>(List<DecodingRow<K>> rows, DecoderCache cache, long[] mask, int width) { }

    /**
     * A run's outcome before it is applied: each row's chosen token, and the rows that go on with
     * their cache (the run's own, or a compacted copy of it when some rows finish).
     */
    private record Planned<K>(List<DecodingRow<K>> rows, int[] tokens, Running<K> kept) { }

    /**
     * Chooses every row's next token from {@code logits} of the run that made {@code r.cache} and
     * slices out the rows it finishes; the rows themselves are not changed. On any failure the run's
     * cache (and a compacted copy, if made) is closed before the exception leaves. On success the
     * run's cache is closed too when the plan carries a compacted copy instead.
     */
    private Planned<K> planOrClose(Running<K> r, DecoderSession.Logits logits) {
        Planned<K> planned = null;
        boolean ok = false;
        try {
            int n = r.rows.size();
            int[] chosen = new int[n];
            List<Integer> keep = new ArrayList<>();
            for (int b = 0; b < n; b++) {
                DecodingRow<K> row = r.rows.get(b);
                float[] next = logits.last(b);
                if (logitsObserver != null) {
                    logitsObserver.accept(row.key, java.util.Arrays.copyOf(next, Math.min(next.length, vocabSize)));
                }
                chosen[b] = row.choose(next);
                if (!row.doneWith(chosen[b])) {
                    keep.add(b);
                }
            }
            // the run fed each row's last token: one position more is cached than the rows count yet
            planned = new Planned<>(r.rows, chosen, keepOnly(r, keep, 1));
            beforeApply.run();
            ok = true;
        } finally {
            if (!ok) {
                r.cache.close();
                if (planned != null) {
                    planned.kept.cache.close();
                }
            }
        }
        if (planned.kept.cache != r.cache) {
            r.cache.close();
        }
        return planned;
    }

    /** The rows take their chosen tokens; those done leave with their output. Does not fail. */
    private List<Finished<K>> apply(Planned<K> p) {
        List<Finished<K>> finished = new ArrayList<>();
        for (int b = 0; b < p.rows.size(); b++) {
            DecodingRow<K> row = p.rows.get(b);
            row.accept(p.tokens[b]);
            if (row.done()) {
                finished.add(new Finished<>(row.key, row.output()));
            }
        }
        return finished;
    }

    /**
     * The rows at {@code keep}, their cache rows sliced out and padding no kept row needs trimmed;
     * {@code r} is left open (the caller closes it once the result is in use).
     *
     * @param justFed positions the rows' caches hold beyond {@link DecodingRow#cachedLength} (1 right after a run)
     */
    private Running<K> keepOnly(Running<K> r, List<Integer> keep, int justFed) {
        if (keep.size() == r.rows.size()) {
            return r;
        }
        List<DecodingRow<K>> still = new ArrayList<>();
        for (int b : keep) {
            still.add(r.rows.get(b));
        }
        int[] rows = keep.stream().mapToInt(Integer::intValue).toArray();
        int from = 0;
        int to = r.width;
        if (!still.isEmpty() && padding == PaddingSide.LEFT) {
            from = DecodingRow.commonPadding(still, r.width, justFed);
        } else if (!still.isEmpty()) {
            to = DecodingRow.longestCached(still, justFed);
        }
        long[] keptMask = DecodingRow.selectMask(r.mask, r.width, rows, from, to);
        DecoderCache compact = r.cache.select(decoder.runtime().env(), rows, from, to);
        return new Running<>(still, compact, keptMask, to - from);
    }

    /**
     * Appends {@code fresh} to the running batch, padding the shorter caches and masks. Takes
     * {@code fresh.cache}: it is closed here, also when merging fails (the running batch then stays as it was).
     */
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
            merged = DecoderCache.concat(decoder.runtime().env(), cache, fresh.cache, padding);
        } finally {
            fresh.cache.close();
        }
        cache.close();
        int w = Math.max(width, fresh.width);
        long[] m = new long[(active.size() + fresh.rows.size()) * w];
        int b = 0;
        boolean left = padding == PaddingSide.LEFT;
        for (int i = 0; i < active.size(); i++, b++) {
            System.arraycopy(mask, i * width, m, b * w + (left ? w - width : 0), width);
        }
        for (int i = 0; i < fresh.rows.size(); i++, b++) {
            System.arraycopy(fresh.mask, i * fresh.width, m, b * w + (left ? w - fresh.width : 0), fresh.width);
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
