package io.vlmstreams.inference.engine;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Running totals of what the engine did, for benchmarks and metrics: requests, tokens, and the
 * time spent per stage (preprocessing is summed over requests; the model stages over batches).
 */
public final class EngineStats {

    /** A consistent-enough copy of the totals. */
    public record Snapshot(long requests, long batches, long imageTokens, long prefillTokens, long generatedTokens,
                           long preprocessNanos, long encodeNanos, long prefillNanos, long decodeNanos) {

        public Snapshot minus(Snapshot o) {
            return new Snapshot(requests - o.requests, batches - o.batches, imageTokens - o.imageTokens,
                    prefillTokens - o.prefillTokens, generatedTokens - o.generatedTokens,
                    preprocessNanos - o.preprocessNanos, encodeNanos - o.encodeNanos,
                    prefillNanos - o.prefillNanos, decodeNanos - o.decodeNanos);
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

    public Snapshot snapshot() {
        return new Snapshot(requests.get(), batches.get(), imageTokens.get(), prefillTokens.get(), generatedTokens.get(),
                preprocessNanos.get(), encodeNanos.get(), prefillNanos.get(), decodeNanos.get());
    }
}
