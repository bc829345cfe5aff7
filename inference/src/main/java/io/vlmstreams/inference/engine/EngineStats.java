package io.vlmstreams.inference.engine;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Running totals of what the engine did, for benchmarks, metrics and tests: requests, tokens, the
 * time spent per stage (preprocessing is summed over requests; the model stages over batches), and
 * how many sequences shared each decoder step.
 */
public final class EngineStats {

    /**
     * A consistent-enough copy of the totals.
     *
     * @param batches     model batches answered (a batch rerun in parts after a failure counts each part)
     * @param decodeSteps decoder calls that each advanced every sequence they carried by one token
     * @param decodedRows sequences those decoder calls carried, summed over the calls: divided by
     *                    {@code decodeSteps}, how many sequences shared a decoder call on average
     */
    public record Snapshot(long requests, long batches, long imageTokens, long prefillTokens, long generatedTokens,
                           long preprocessNanos, long encodeNanos, long prefillNanos, long decodeNanos,
                           long decodeSteps, long decodedRows) {

        public Snapshot minus(Snapshot o) {
            return new Snapshot(requests - o.requests, batches - o.batches, imageTokens - o.imageTokens,
                    prefillTokens - o.prefillTokens, generatedTokens - o.generatedTokens,
                    preprocessNanos - o.preprocessNanos, encodeNanos - o.encodeNanos,
                    prefillNanos - o.prefillNanos, decodeNanos - o.decodeNanos,
                    decodeSteps - o.decodeSteps, decodedRows - o.decodedRows);
        }
    }

    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong imageTokens = new AtomicLong();
    private final AtomicLong prefillTokens = new AtomicLong();
    private final AtomicLong generatedTokens = new AtomicLong();
    private final AtomicLong preprocessNanos = new AtomicLong();
    private final AtomicLong encodeNanos = new AtomicLong();
    private final AtomicLong prefillNanos = new AtomicLong();
    private final AtomicLong decodeNanos = new AtomicLong();
    private final AtomicLong decodeSteps = new AtomicLong();
    private final AtomicLong decodedRows = new AtomicLong();

    void preprocessed(long nanos) {
        preprocessNanos.addAndGet(nanos);
    }

    void batch(int size, long images, long encode, long prefill, long decode, long promptTokens, long generated) {
        batches.incrementAndGet();
        requests.addAndGet(size);
        imageTokens.addAndGet(images);
        encodeNanos.addAndGet(encode);
        prefillNanos.addAndGet(prefill);
        decodeNanos.addAndGet(decode);
        prefillTokens.addAndGet(promptTokens);
        generatedTokens.addAndGet(generated);
    }

    /** {@code steps} decoder calls that carried {@code rows} sequences in all. */
    void decoded(long steps, long rows) {
        decodeSteps.addAndGet(steps);
        decodedRows.addAndGet(rows);
    }

    public Snapshot snapshot() {
        return new Snapshot(requests.get(), batches.get(), imageTokens.get(), prefillTokens.get(), generatedTokens.get(),
                preprocessNanos.get(), encodeNanos.get(), prefillNanos.get(), decodeNanos.get(),
                decodeSteps.get(), decodedRows.get());
    }
}
