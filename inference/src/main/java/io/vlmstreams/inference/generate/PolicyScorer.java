package io.vlmstreams.inference.generate;

import io.vlmstreams.inference.onnx.DecoderCache;
import io.vlmstreams.inference.onnx.DecoderSession;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Yes/no policy scores of an image from one image pass: the prompt prefix the policies share (the
 * image and the text before the questions) is prefilled once, its cache (attention KV and LFM2's
 * conv state) copied once per question, and every question continues from its copy as a row of one
 * decoder call. A question's score is P(yes) from the next-token distribution after it, normalised
 * over the yes and no token sets: {@code sum p(yes) / (sum p(yes) + sum p(no))}.
 *
 * <p>Questions of different lengths share the call right-padded: the model is causal, so what
 * follows a row's last real token changes nothing at or before it, and only the logits there are
 * read. Graphs whose batching plan allows no padding run questions of one length per call, or one
 * row per call; the prefix is still prefilled once. Not thread-safe.
 */
public final class PolicyScorer {

    /** How question rows may share a decoder call (from the engine's batching plan). */
    public enum Sharing { ANY_LENGTHS, EQUAL_LENGTHS, ONE_ROW }

    /** One image's shared prefix and its questions' tokens after it (each at least one token). */
    public record Input(SequenceInput prefix, List<long[]> questions) { }

    /** P(yes) of every input's questions, in order, and the decoder time. */
    public record Result(List<double[]> yes, BatchTimings timings) { }

    private final DecoderSession decoder;
    private final InputEmbedder embedder;
    private final long padTokenId;
    private final int vocabSize;
    private final Sharing sharing;

    public PolicyScorer(DecoderSession decoder, InputEmbedder embedder, long padTokenId, int vocabSize, Sharing sharing) {
        this.decoder = decoder;
        this.embedder = embedder;
        this.padTokenId = padTokenId;
        this.vocabSize = vocabSize;
        this.sharing = sharing;
    }

    public Result score(List<Input> inputs, int[] yesIds, int[] noIds) {
        long t0 = System.nanoTime();
        long tokens = 0;
        List<double[]> out = new ArrayList<>();
        for (Input in : inputs) {
            long[] prefix = in.prefix().tokenIds();
            LeftPaddedBatch one = LeftPaddedBatch.of(List.of(prefix), padTokenId);
            DecoderSession.Step step = new Prefill(decoder, one, embedder.embed(one, List.of(in.prefix()))).run(1);
            tokens += prefix.length;
            double[] scores = new double[in.questions().size()];
            try (DecoderCache shared = step.cache()) {
                for (List<Integer> group : groups(in.questions())) {
                    scoreGroup(shared, prefix.length, in.questions(), group, yesIds, noIds, scores);
                    for (int q : group) {
                        tokens += in.questions().get(q).length;
                    }
                }
            }
            out.add(scores);
        }
        return new Result(out, new BatchTimings(System.nanoTime() - t0, 0, tokens, 0, 0));
    }

    /** The questions that share a call. */
    private List<List<Integer>> groups(List<long[]> questions) {
        Map<Integer, List<Integer>> by = new LinkedHashMap<>();
        for (int q = 0; q < questions.size(); q++) {
            int key = switch (sharing) {
                case ANY_LENGTHS -> 0;
                case EQUAL_LENGTHS -> questions.get(q).length;
                case ONE_ROW -> -1 - q;
            };
            by.computeIfAbsent(key, k -> new ArrayList<>()).add(q);
        }
        return new ArrayList<>(by.values());
    }

    private void scoreGroup(DecoderCache shared, int past, List<long[]> questions, List<Integer> group,
                            int[] yesIds, int[] noIds, double[] scores) {
        int n = group.size();
        int width = 0;
        for (int q : group) {
            width = Math.max(width, questions.get(q).length);
        }
        long[] ids = new long[n * width];
        long[] mask = new long[n * (past + width)];
        long[] positions = new long[n * width];
        Arrays.fill(ids, padTokenId);
        Arrays.fill(mask, 1L);
        for (int b = 0; b < n; b++) {
            long[] q = questions.get(group.get(b));
            System.arraycopy(q, 0, ids, b * width, q.length);
            for (int j = 0; j < width; j++) {
                positions[b * width + j] = past + j;
            }
        }
        try (DecoderCache copies = shared.select(decoder.runtime().env(), new int[n], 0)) {
            DecoderSession.Step step = decoder.run(embedder.embedIds(ids, n, width), n, width, mask, positions, copies, width);
            try (DecoderCache ignored = step.cache()) {
                DecoderSession.Logits logits = step.logits();
                for (int b = 0; b < n; b++) {
                    int last = questions.get(group.get(b)).length - 1;
                    // the kept positions are the last `width` of the row: its question starts at the first
                    scores[group.get(b)] = yesProbability(logits.row(b, logits.positions() - width + last), yesIds, noIds);
                }
            }
        }
    }

    /** P(yes) normalised over the yes and no sets (the softmax over the rest of the vocabulary cancels). */
    public double yesProbability(float[] logits, int[] yesIds, int[] noIds) {
        double max = Double.NEGATIVE_INFINITY;
        for (int t : yesIds) {
            max = Math.max(max, logits[t]);
        }
        for (int t : noIds) {
            max = Math.max(max, logits[t]);
        }
        double yes = 0;
        double no = 0;
        for (int t : yesIds) {
            if (t < vocabSize) {
                yes += Math.exp(logits[t] - max);
            }
        }
        for (int t : noIds) {
            if (t < vocabSize) {
                no += Math.exp(logits[t] - max);
            }
        }
        return yes / (yes + no);
    }
}
