package io.vlmstreams.inference.generate;

import io.vlmstreams.inference.onnx.DecoderSession;

import java.util.ArrayList;
import java.util.List;

/**
 * Scores candidate labels by teacher forcing: one left-padded batch with a row per (prompt, label),
 * and each label's score is the mean log-probability of its tokens given the prompt and the
 * label tokens before them (length-normalized, so long labels are not penalized for length).
 * Left padding puts every label at the end of its row, so only the last (longest label + 1)
 * positions need logits. Log-probabilities are over the ids the tokenizer defines only (a graph's
 * logits may be wider). Not thread-safe.
 */
public final class Classifier {

    private final DecoderSession decoder;
    private final InputEmbedder embedder;
    private final long padTokenId;
    private final int vocabSize;
    private final boolean padRows;

    /** @param vocabSize ids the tokenizer defines: logits at or past it are not scored */
    public Classifier(DecoderSession decoder, InputEmbedder embedder, long padTokenId, int vocabSize) {
        this(decoder, embedder, padTokenId, vocabSize, true);
    }

    /**
     * @param padRows false for graphs where left padding changes a row's result (see the engine's
     *                batching plan): rows of different lengths then run in separate decoder calls
     */
    public Classifier(DecoderSession decoder, InputEmbedder embedder, long padTokenId, int vocabSize, boolean padRows) {
        this.padRows = padRows;
        if (vocabSize < 1) {
            throw new IllegalArgumentException("vocabulary size must be positive, got " + vocabSize);
        }
        this.decoder = decoder;
        this.embedder = embedder;
        this.padTokenId = padTokenId;
        this.vocabSize = vocabSize;
    }

    /** Scores of every input's labels, in order, and the decoder time. */
    public record Result(List<double[]> scores, BatchTimings timings) { }

    public Result score(List<ClassificationInput> inputs) {
        long t0 = System.nanoTime();
        List<long[]> rows = new ArrayList<>();
        List<SequenceInput> seqs = new ArrayList<>();
        int longest = 0;
        long tokens = 0;
        for (ClassificationInput in : inputs) {
            long[] prompt = in.prompt().tokenIds();
            for (long[] label : in.labelTokenIds()) {
                for (long id : label) {
                    if (id < 0 || id >= vocabSize) {
                        throw new IllegalArgumentException("label token " + id + " is not in the vocabulary of " + vocabSize);
                    }
                }
                long[] row = new long[prompt.length + label.length];
                System.arraycopy(prompt, 0, row, 0, prompt.length);
                System.arraycopy(label, 0, row, prompt.length, label.length);
                rows.add(row);
                seqs.add(in.prompt());
                longest = Math.max(longest, label.length);
                tokens += row.length;
            }
        }
        int keep = longest + 1;
        // per row, the logits of its last `keep` positions (a row shorter than keep has none before its start)
        float[][][] kept = new float[rows.size()][][];
        for (List<Integer> group : callGroups(rows)) {
            List<long[]> groupRows = new ArrayList<>(group.size());
            List<SequenceInput> groupSeqs = new ArrayList<>(group.size());
            for (int i : group) {
                groupRows.add(rows.get(i));
                groupSeqs.add(seqs.get(i));
            }
            LeftPaddedBatch batch = LeftPaddedBatch.of(groupRows, padTokenId);
            float[] embeds = embedder.embed(batch, groupSeqs);
            DecoderSession.Step step = new Prefill(decoder, batch, embeds).run(keep);
            try (var cache = step.cache()) {
                DecoderSession.Logits logits = step.logits();
                int positions = Math.min(keep, batch.width());
                for (int g = 0; g < group.size(); g++) {
                    float[][] mine = new float[keep][];
                    for (int p = 0; p < positions; p++) {
                        mine[keep - positions + p] = logits.row(g, logits.positions() - positions + p);
                    }
                    kept[group.get(g)] = mine;
                }
            }
        }
        List<double[]> scores = new ArrayList<>();
        int r = 0;
        for (ClassificationInput in : inputs) {
            double[] s = new double[in.labelTokenIds().size()];
            for (int l = 0; l < s.length; l++, r++) {
                long[] label = in.labelTokenIds().get(l);
                double sum = 0;
                for (int j = 0; j < label.length; j++) {
                    // label token j sits at kept position keep - len + j; the logits before it predict it
                    int p = keep - label.length + j - 1;
                    sum += LogitsProcessors.logProb(kept[r][p], vocabSize, (int) label[j]);
                }
                s[l] = sum / label.length;
            }
            scores.add(s);
        }
        long t1 = System.nanoTime();
        return new Result(scores, new BatchTimings(t1 - t0, 0, tokens, 0, 0));
    }

    /** Whether every label starts with a different token: then the first token alone tells them apart. */
    public static boolean firstTokensDiffer(List<long[]> labels) {
        java.util.Set<Long> firsts = new java.util.HashSet<>();
        for (long[] l : labels) {
            if (!firsts.add(l[0])) {
                return false;
            }
        }
        return true;
    }

    /**
     * First-token scoring (for labels whose first tokens differ, {@link #firstTokensDiffer}): one row
     * per input, its prompt alone, one step; each label's score is the log-probability of its first
     * token after the prompt. No length normalisation is involved, so labels of different token counts
     * are compared fairly, and it costs one row instead of one per label.
     */
    public Result scoreFirstTokens(List<ClassificationInput> inputs) {
        long t0 = System.nanoTime();
        List<long[]> rows = new ArrayList<>();
        long tokens = 0;
        for (ClassificationInput in : inputs) {
            rows.add(in.prompt().tokenIds());
            tokens += in.prompt().tokenIds().length;
        }
        float[][] last = new float[rows.size()][];
        for (List<Integer> group : callGroups(rows)) {
            List<long[]> groupRows = new ArrayList<>(group.size());
            List<SequenceInput> groupSeqs = new ArrayList<>(group.size());
            for (int i : group) {
                groupRows.add(rows.get(i));
                groupSeqs.add(inputs.get(i).prompt());
            }
            LeftPaddedBatch batch = LeftPaddedBatch.of(groupRows, padTokenId);
            DecoderSession.Step step = new Prefill(decoder, batch, embedder.embed(batch, groupSeqs)).run(1);
            try (var cache = step.cache()) {
                for (int g = 0; g < group.size(); g++) {
                    last[group.get(g)] = step.logits().last(g);
                }
            }
        }
        List<double[]> scores = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            List<long[]> labels = inputs.get(i).labelTokenIds();
            double[] s = new double[labels.size()];
            for (int l = 0; l < s.length; l++) {
                s[l] = LogitsProcessors.logProb(last[i], vocabSize, (int) labels.get(l)[0]);
            }
            scores.add(s);
        }
        return new Result(scores, new BatchTimings(System.nanoTime() - t0, 0, tokens, 0, 0));
    }

    /** The rows that share a decoder call: all of them, or (without padding) those of one length each. */
    private List<List<Integer>> callGroups(List<long[]> rows) {
        java.util.Map<Integer, List<Integer>> byLength = new java.util.LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            byLength.computeIfAbsent(padRows ? 0 : rows.get(i).length, k -> new ArrayList<>()).add(i);
        }
        return new ArrayList<>(byLength.values());
    }

    /** Index of the best score (the first on ties). */
    public static int best(double[] scores) {
        int best = 0;
        for (int i = 1; i < scores.length; i++) {
            if (scores[i] > scores[best]) {
                best = i;
            }
        }
        return best;
    }
}
