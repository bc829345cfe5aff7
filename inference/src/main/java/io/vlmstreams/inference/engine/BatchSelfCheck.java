package io.vlmstreams.inference.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

import io.vlmstreams.inference.generate.ContinuousBatch;
import io.vlmstreams.inference.generate.GenerationInput;
import io.vlmstreams.inference.generate.SequenceInput;
import io.vlmstreams.inference.image.DecodedImage;
import io.vlmstreams.inference.image.ImageProcessor;
import io.vlmstreams.inference.image.ProcessedImage;

/**
 * The engine's load-time proof that its {@link BatchingPlan} is exact on the graphs it loaded: a few
 * short synthetic requests of different prompt lengths and image shapes run alone and together (a
 * padded prefill, a sequence joining a running decode, vision calls mixing tile shapes), and every
 * greedy token and logit, every image feature, must agree within {@link #RELATIVE_TOLERANCE}. When
 * they do not, the plan is tightened one step and checked again, down to one row and one tile per
 * call, which is exact by construction. No graph analysis can see everything a graph does; this
 * check sees what it does to answers.
 */
final class BatchSelfCheck {

    /** Differences allowed, relative to the largest magnitude compared (fp16 and int kernels differ slightly by batch shape). */
    static final double RELATIVE_TOLERANCE = 1e-2;
    static final double ABSOLUTE_TOLERANCE = 1e-3;
    private static final int NEW_TOKENS = 3;

    private final Function<io.vlmstreams.inference.onnx.PaddingSide, ContinuousBatch<Integer>> batches;
    private final Function<BatchingPlan.VisionSharing, ImageEncoder> encoders;
    private final ImageProcessor processor;
    private final int vocabSize;
    private final long imageTokenId;
    private final boolean rightPaddingFits;

    /**
     * @param batches  fresh, empty decode batches over the decoder, padded on the side asked
     * @param encoders an image encoder over the vision graph sharing calls as asked
     * @param rightPaddingFits whether right-padded decode is worth checking on this decoder ({@link BatchingPlan#rightPaddingFits})
     */
    BatchSelfCheck(Function<io.vlmstreams.inference.onnx.PaddingSide, ContinuousBatch<Integer>> batches, Function<BatchingPlan.VisionSharing, ImageEncoder> encoders,
                   ImageProcessor processor, int vocabSize, long imageTokenId, boolean rightPaddingFits) {
        this.rightPaddingFits = rightPaddingFits;
        this.batches = batches;
        this.encoders = encoders;
        this.processor = processor;
        this.vocabSize = vocabSize;
        this.imageTokenId = imageTokenId;
    }

    /** {@code start}, or the stricter plan the check found exact, with what the check found in its basis. */
    BatchingPlan check(BatchingPlan start) {
        long t0 = System.nanoTime();
        BatchingPlan plan = start;
        while (plan.decode() != BatchingPlan.DecodeSharing.ONE_ROW) {
            String failure = decodeMismatch(plan.decode());
            if (failure == null) {
                break;
            }
            BatchingPlan.DecodeSharing stricter = plan.decode().stricter(rightPaddingFits);
            plan = plan.withDecode(stricter, "self-check: " + failure + ", so " + name(stricter));
        }
        while (plan.vision() != BatchingPlan.VisionSharing.ONE_TILE) {
            String failure = visionMismatch(plan.vision());
            if (failure == null) {
                break;
            }
            BatchingPlan.VisionSharing stricter = plan.vision().stricter();
            plan = plan.withVision(stricter, "self-check: " + failure + ", so " + name(stricter));
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        return plan.noting(plan == start ? "self-check passed in " + ms + " ms" : "self-check done in " + ms + " ms");
    }

    /** Null when rows share decoder calls exactly at this level, else what differed. */
    String decodeMismatch(BatchingPlan.DecodeSharing level) {
        try {
            boolean anyLengths = level.mixesLengths();
            List<GenerationInput> inputs = anyLengths
                    ? List.of(prompt(5, 1), prompt(11, 2), prompt(5, 6), prompt(8, 3))
                    : List.of(prompt(7, 4), prompt(7, 5));
            List<Trace> alone = new ArrayList<>();
            for (GenerationInput in : inputs) {
                alone.add(run(level, List.of(in), false).get(0));
            }
            // together: one (padded) prefill or prefills of one length each, and when lengths mix a third row
            // joining the running decode
            List<Trace> together = run(level, inputs, anyLengths);
            for (int i = 0; i < inputs.size(); i++) {
                String diff = alone.get(i).differenceTo(together.get(i));
                if (diff != null) {
                    String rows = !anyLengths ? "of one length"
                            : "of different lengths, " + level.paddingSide().name().toLowerCase(java.util.Locale.ROOT) + "-padded,";
                    return "rows " + rows + " batched differ from alone (row "
                            + i + ": " + diff + ")";
                }
            }
            return null;
        } catch (RuntimeException e) {
            return "batched rows failed (" + e.getMessage() + ")";
        }
    }

    /** Null when tiles share vision calls exactly at this level, else what differed. */
    String visionMismatch(BatchingPlan.VisionSharing level) {
        try {
            boolean anyShapes = level == BatchingPlan.VisionSharing.ANY_SHAPES;
            List<ProcessedImage> images = anyShapes
                    ? List.of(image(320, 256, 1), image(256, 320, 2))
                    : List.of(image(320, 256, 3), image(320, 256, 4));
            ImageEncoder encoder = encoders.apply(level);
            List<float[]> together = encoder.encode(images);
            for (int i = 0; i < images.size(); i++) {
                float[] alone = encoder.encode(List.of(images.get(i))).get(0);
                double diff = maxDifference(alone, together.get(i));
                if (diff > allowed(alone)) {
                    return "tiles " + (anyShapes ? "of different shapes" : "of one shape") + " in one vision call differ from alone by "
                            + String.format(java.util.Locale.ROOT, "%.3g", diff);
                }
            }
            return null;
        } catch (RuntimeException e) {
            return "a shared vision call failed (" + e.getMessage() + ")";
        }
    }

    /** Greedy tokens and per-step logits of one sequence. */
    private record Trace(List<Long> tokens, List<float[]> logits) {
        String differenceTo(Trace other) {
            if (!tokens.equals(other.tokens)) {
                return "tokens " + tokens + " vs " + other.tokens;
            }
            for (int s = 0; s < logits.size(); s++) {
                double diff = maxDifference(logits.get(s), other.logits.get(s));
                if (diff > allowed(logits.get(s))) {
                    return "step " + s + " logits differ by " + String.format(java.util.Locale.ROOT, "%.3g", diff);
                }
            }
            return null;
        }
    }

    /**
     * Runs {@code inputs} in one decode batch padded as {@code level} pads; with {@code lastJoinsLater} the last one
     * joins after the first step.
     */
    private List<Trace> run(BatchingPlan.DecodeSharing level, List<GenerationInput> inputs, boolean lastJoinsLater) {
        Map<Integer, List<float[]>> logits = new HashMap<>();
        Map<Integer, long[]> tokens = new HashMap<>();
        int first = lastJoinsLater ? inputs.size() - 1 : inputs.size();
        try (ContinuousBatch<Integer> batch = batches.apply(level.paddingSide())) {
            batch.observingLogits((k, l) -> logits.computeIfAbsent(k, x -> new ArrayList<>()).add(l));
            List<Integer> keys = new ArrayList<>();
            for (int i = 0; i < first; i++) {
                keys.add(i);
            }
            collect(batch.joinGrouped(keys, inputs.subList(0, first), Double.POSITIVE_INFINITY), tokens);
            if (lastJoinsLater) {
                collect(batch.step(), tokens);
                collect(batch.join(List.of(first), List.of(inputs.get(first))), tokens);
            }
            while (batch.size() > 0) {
                collect(batch.step(), tokens);
            }
        }
        List<Trace> out = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            List<Long> t = new ArrayList<>();
            for (long id : tokens.get(i)) {
                t.add(id);
            }
            out.add(new Trace(t, logits.get(i)));
        }
        return out;
    }

    private static void collect(List<ContinuousBatch.Finished<Integer>> finished, Map<Integer, long[]> tokens) {
        for (ContinuousBatch.Finished<Integer> f : finished) {
            tokens.put(f.key(), f.output().tokenIds());
        }
    }

    /** A text-only prompt of {@code length} seeded ids, none of them the image token. */
    private GenerationInput prompt(int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long[] ids = new long[length];
        for (int i = 0; i < length; i++) {
            long id;
            do {
                id = random.nextInt(vocabSize);
            } while (id == imageTokenId);
            ids[i] = id;
        }
        return new GenerationInput(new SequenceInput(ids, null), GenerationSettings.greedy(NEW_TOKENS), new long[0]);
    }

    /** A seeded noise image of {@code width} x {@code height}, preprocessed as requests are. */
    private ProcessedImage image(int width, int height, long seed) {
        byte[] rgb = new byte[width * height * 3];
        new SplittableRandom(seed).nextBytes(rgb);
        return processor.process(new DecodedImage(width, height, rgb));
    }

    private static double allowed(float[] reference) {
        double max = 0;
        for (float v : reference) {
            max = Math.max(max, Math.abs(v));
        }
        return ABSOLUTE_TOLERANCE + RELATIVE_TOLERANCE * max;
    }

    private static double maxDifference(float[] a, float[] b) {
        if (a.length != b.length) {
            return Double.POSITIVE_INFINITY;
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - b[i]);
            if (Double.isNaN(d)) {
                return Double.POSITIVE_INFINITY;
            }
            max = Math.max(max, d);
        }
        return max;
    }

    private static String name(Enum<?> level) {
        return level.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }
}
