package io.vlmstreams.inference.engine;

import java.util.List;

/**
 * Where a batch is cut: the one rule, by request count, image tokens and estimated working memory,
 * for every place that groups requests. Pure: it only compares numbers.
 *
 * <p>Two policies run in the application, each bounded by its own settings:
 * <ul>
 *   <li><b>Pipeline batches</b> ({@link #pipeline}): what leaves a pipeline's pending-request store as
 *       one batch, i.e. one {@link InferenceEngine#runBatch} call. {@code batch.max.size} bounds its
 *       requests, {@code batch.max.image.tokens} its estimated image tokens
 *       ({@link InferenceEngine#estimateImageTokens}); {@code batch.linger.ms} is not a limit of
 *       the batch but when a partial one runs anyway.</li>
 *   <li><b>Model batches</b> ({@link #model}): how the engine cuts a call's requests into model batches
 *       and which of them board the running decode batch between decoder steps.
 *       {@code engine.max.batch.size} bounds the requests the model holds at once (the decode
 *       batch's sequences plus a batch boarding it), {@code engine.max.batch.memory.mb} their
 *       estimated working memory ({@link BatchMemoryEstimator}).</li>
 * </ul>
 * With nothing on board, the first candidate always joins, even over the count or image-token
 * limit on its own (it runs alone), unless it is over the memory budget on its own: then none
 * joins and the caller refuses it, as running it could take the process down.
 *
 * @param maxSize        most requests in one batch
 * @param maxImageTokens most image tokens in one batch ({@link #UNBOUNDED}: no limit)
 * @param maxMemoryBytes most estimated working memory of one batch ({@link #UNBOUNDED}: no limit)
 */
public record BatchPolicy(int maxSize, long maxImageTokens, long maxMemoryBytes) {

    /** No limit. */
    public static final long UNBOUNDED = Long.MAX_VALUE;

    public BatchPolicy {
        if (maxSize < 1 || maxImageTokens < 1 || maxMemoryBytes < 1) {
            throw new IllegalArgumentException("batch limits must be positive: " + maxSize + " requests, "
                    + maxImageTokens + " image tokens, " + maxMemoryBytes + " bytes");
        }
    }

    /** A pipeline's batches: {@code batch.max.size} requests, {@code batch.max.image.tokens} image tokens. */
    public static BatchPolicy pipeline(int maxSize, long maxImageTokens) {
        return new BatchPolicy(maxSize, maxImageTokens, UNBOUNDED);
    }

    /**
     * The engine's model batches: {@code engine.max.batch.size} requests, {@code engine.max.batch.memory.mb}
     * of estimated working memory (0: no budget).
     */
    public static BatchPolicy model(int maxSize, int maxMemoryMb) {
        if (maxMemoryMb < 0) {
            throw new IllegalArgumentException("memory budget must be >= 0 MB (0: none), got " + maxMemoryMb);
        }
        return new BatchPolicy(maxSize, UNBOUNDED, maxMemoryMb == 0 ? UNBOUNDED : maxMemoryMb * 1024L * 1024L);
    }

    /**
     * What one request costs a batch.
     *
     * @param imageTokens  its image tokens (estimated before it is decoded, exact after)
     * @param decoderBytes decoder working memory of its row alone, growing with its sequence length
     * @param visionBytes  vision-encoder working memory of its image alone
     */
    public record Cost(long imageTokens, long decoderBytes, long visionBytes) {

        public Cost {
            if (imageTokens < 0 || decoderBytes < 0 || visionBytes < 0) {
                throw new IllegalArgumentException("negative cost: " + imageTokens + ", " + decoderBytes + ", " + visionBytes);
            }
        }

        /** A cost in image tokens alone (a pipeline batch, whose memory is the engine's concern). */
        public static Cost ofImageTokens(long imageTokens) {
            return new Cost(imageTokens, 0, 0);
        }
    }

    /**
     * What a batch holds, as far as its limits go.
     *
     * @param decoderBytes the largest member's decoder memory
     * @param visionBytes  the largest member's vision memory
     */
    public record Load(int members, long imageTokens, long decoderBytes, long visionBytes) {

        /** An empty batch. */
        public static final Load EMPTY = new Load(0, 0, 0, 0);

        /** The load of {@code costs} together. */
        public static Load of(Iterable<Cost> costs) {
            Load load = EMPTY;
            for (Cost c : costs) {
                load = load.plus(c);
            }
            return load;
        }

        /** This load with one more member. */
        public Load plus(Cost c) {
            return new Load(members + 1, saturatedAdd(imageTokens, c.imageTokens()),
                    Math.max(decoderBytes, c.decoderBytes()), Math.max(visionBytes, c.visionBytes()));
        }

        /**
         * Estimated working memory: every member is padded to the longest sequence and its image to the
         * largest, so a batch costs its size times its largest member.
         */
        public long memoryBytes() {
            long perMember = saturatedAdd(decoderBytes, visionBytes);
            return perMember != 0 && members > Long.MAX_VALUE / perMember ? Long.MAX_VALUE : members * perMember;
        }
    }

    /**
     * How many of {@code candidates}, taken in order, may join {@code onBoard}: the longest prefix
     * that keeps every limit, except that with nothing on board the first joins whatever its count or
     * image tokens (0 only when it is over the memory budget on its own).
     */
    public int joinable(Load onBoard, Iterable<Cost> candidates) {
        Load load = onBoard;
        int n = 0;
        for (Cost c : candidates) {
            Load next = load.plus(c);
            boolean lone = next.members() == 1;
            if (next.memoryBytes() > maxMemoryBytes
                    || !lone && (next.members() > maxSize || next.imageTokens() > maxImageTokens)) {
                break;
            }
            load = next;
            n++;
        }
        return n;
    }

    /** Whether all of {@code candidates} may join {@code onBoard} together. */
    public boolean admits(Load onBoard, List<Cost> candidates) {
        return joinable(onBoard, candidates) == candidates.size();
    }

    /** Whether {@code load} is a full batch: nothing more should wait to join it. */
    public boolean full(Load load) {
        return load.members() >= maxSize || load.imageTokens() >= maxImageTokens || load.memoryBytes() >= maxMemoryBytes;
    }

    /** Whether {@code cost} fits the memory budget on its own; a request that does not is refused. */
    public boolean fitsAlone(Cost cost) {
        return Load.EMPTY.plus(cost).memoryBytes() <= maxMemoryBytes;
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }
}
