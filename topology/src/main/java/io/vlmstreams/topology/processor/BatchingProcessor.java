package io.vlmstreams.topology.processor;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.vlmstreams.inference.engine.InferenceEngine;
import io.vlmstreams.inference.engine.InferenceException;
import io.vlmstreams.schemas.DeadLetter;
import io.vlmstreams.schemas.DeadLetterReason;
import io.vlmstreams.schemas.ImageEvent;
import io.vlmstreams.schemas.InlineImage;
import io.vlmstreams.topology.config.BatchConfig;
import io.vlmstreams.topology.ops.PipelineMetrics;
import io.vlmstreams.topology.ops.VlmMetrics;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects a pipeline's requests into batches for the engine. Pending requests live in a
 * changelogged store (keyed by an arrival sequence number) so that a crash loses none: Streams
 * commits input offsets without asking processors, and only what is in the store survives. A batch
 * runs on the task's own thread, in {@code process} when the batch is full (size or image-token
 * budget) or in a wall-clock punctuation when the oldest request has lingered long enough; its
 * answers, dead letters and store deletes then commit in one transaction with the input offsets.
 * Entries found in the store at init (restore after a crash, or a rebalance) run at the first tick.
 */
public final class BatchingProcessor implements Processor<byte[], byte[], byte[], SpecificRecord> {

    private static final Logger log = LoggerFactory.getLogger(BatchingProcessor.class);

    private final String storeName;
    private final String answersChild;
    private final String deadLettersChild;
    private final BatchConfig limits;
    private final InferenceEngine engine;
    private final RecordDecoder decoder;
    private final RequestBuilder requests;
    private final BatchExecutor executor;
    private final DeadLetters deadLetters;
    private final PipelineMetrics metrics;

    /** In-memory mirror of the store, in arrival order; the store stays the source of truth. */
    private final TreeMap<Long, PendingRequest> pending = new TreeMap<>();
    private ProcessorContext<byte[], SpecificRecord> context;
    private KeyValueStore<Long, PendingRequest> store;
    private long nextSequence;
    private int pendingTokens;
    private boolean restoredEntriesDue;

    /** Wiring of one processor instance; {@link io.vlmstreams.topology.VlmTopology} builds it. */
    public record Wiring(String storeName, String answersChild, String deadLettersChild, BatchConfig limits,
                         InferenceEngine engine, RecordDecoder decoder, RequestBuilder requests,
                         BatchExecutor executor, DeadLetters deadLetters, PipelineMetrics metrics) {

        /** Wiring whose meters go to a registry of their own (tests that do not look at them). */
        public Wiring(String storeName, String answersChild, String deadLettersChild, BatchConfig limits,
                      InferenceEngine engine, RecordDecoder decoder, RequestBuilder requests,
                      BatchExecutor executor, DeadLetters deadLetters) {
            this(storeName, answersChild, deadLettersChild, limits, engine, decoder, requests, executor, deadLetters,
                    new VlmMetrics().pipeline(storeName));
        }
    }

    public BatchingProcessor(Wiring w) {
        this.storeName = w.storeName();
        this.answersChild = w.answersChild();
        this.deadLettersChild = w.deadLettersChild();
        this.limits = w.limits();
        this.engine = w.engine();
        this.decoder = w.decoder();
        this.requests = w.requests();
        this.executor = w.executor();
        this.deadLetters = w.deadLetters();
        this.metrics = w.metrics();
    }

    @Override
    public void init(ProcessorContext<byte[], SpecificRecord> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
        // A task revived after an aborted transaction re-runs init on this instance: the store,
        // restored from the changelog, is the truth and the old mirror must not leak into it.
        pending.clear();
        try (KeyValueIterator<Long, PendingRequest> all = store.all()) {
            all.forEachRemaining(kv -> pending.put(kv.key, kv.value));
        }
        pendingTokens = pending.values().stream().mapToInt(PendingRequest::imageTokens).sum();
        nextSequence = pending.isEmpty() ? 0 : pending.lastKey() + 1;
        restoredEntriesDue = !pending.isEmpty();
        if (restoredEntriesDue) {
            log.info("Task {}: {} pending requests found in store {}; they run at the first tick",
                    context.taskId(), pending.size(), storeName);
        }
        metrics.pending(context.taskId().toString(), pending.size());
        long tick = Math.max(5, Math.min(limits.linger().toMillis() / 2, 1_000));
        context.schedule(Duration.ofMillis(tick), PunctuationType.WALL_CLOCK_TIME, now -> onTick());
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        long now = context.currentSystemTimeMs();
        metrics.received();
        RecordDecoder.Decoded decoded = decoder.decode(meta.topic(), record.value());
        if (decoded instanceof RecordDecoder.Decoded.Undecodable u) {
            forwardDeadLetter(record.key(), record.timestamp(), record.headers(),
                    deadLetters.of(meta.topic(), meta.partition(), meta.offset(), null, DeadLetterReason.DESERIALIZATION,
                            u.message(), record.value(), Instant.ofEpochMilli(now)));
            return;
        }
        ImageEvent event = ((RecordDecoder.Decoded.Event) decoded).event();
        int tokens;
        try {
            tokens = estimateTokens(event);
        } catch (IllegalArgumentException e) {
            forwardDeadLetter(record.key(), record.timestamp(), record.headers(),
                    deadLetters.of(meta.topic(), meta.partition(), meta.offset(), event.getEventId(),
                            DeadLetterReason.INVALID_REQUEST, e.getMessage(), record.value(), Instant.ofEpochMilli(now)));
            return;
        }
        if (!pending.isEmpty() && pendingTokens + tokens > limits.maxImageTokens()) {
            // This request would overflow the budget: what is pending is a full batch without it.
            runBatches(true);
        }
        PendingRequest request = new PendingRequest(record.key(), record.value(), record.timestamp(),
                headersOf(record.headers()), meta.topic(), meta.partition(), meta.offset(), now, tokens);
        long sequence = nextSequence++;
        store.put(sequence, request);
        pending.put(sequence, request);
        pendingTokens += tokens;
        metrics.pending(context.taskId().toString(), pending.size());
        if (pending.size() >= limits.maxSize() || pendingTokens >= limits.maxImageTokens()) {
            runBatches(false);
        }
    }

    private void onTick() {
        if (pending.isEmpty()) {
            restoredEntriesDue = false;
            return;
        }
        boolean lingered = context.currentSystemTimeMs() - pending.firstEntry().getValue().arrivalMs() >= limits.linger().toMillis();
        if (lingered || restoredEntriesDue) {
            restoredEntriesDue = false;
            runBatches(true);
        }
    }

    /** Runs full batches; with {@code drain}, also the last partial one. */
    private void runBatches(boolean drain) {
        while (!pending.isEmpty()) {
            List<Map.Entry<Long, PendingRequest>> batch = nextBatch();
            boolean full = batch.size() >= limits.maxSize() || batch.size() < pending.size()
                    || pendingTokens >= limits.maxImageTokens();
            if (!full && !drain) {
                return;
            }
            runBatch(batch);
        }
    }

    /** The oldest entries that fit the size and token limits (at least one). */
    private List<Map.Entry<Long, PendingRequest>> nextBatch() {
        List<Map.Entry<Long, PendingRequest>> batch = new ArrayList<>();
        int tokens = 0;
        for (Map.Entry<Long, PendingRequest> e : pending.entrySet()) {
            int t = e.getValue().imageTokens();
            if (!batch.isEmpty() && (batch.size() >= limits.maxSize() || tokens + t > limits.maxImageTokens())) {
                break;
            }
            batch.add(e);
            tokens += t;
        }
        return batch;
    }

    private void runBatch(List<Map.Entry<Long, PendingRequest>> batch) {
        long started = System.nanoTime();
        int batchTokens = 0;
        int answered = 0;
        List<BatchOutput> outputs = executor.run(batch.stream().map(Map.Entry::getValue).toList(), context.currentSystemTimeMs());
        for (int i = 0; i < batch.size(); i++) {
            BatchOutput out = outputs.get(i);
            PendingRequest r = out.request();
            Headers headers = toHeaders(r.headers());
            batchTokens += r.imageTokens();
            if (out instanceof BatchOutput.Answered a) {
                context.forward(new Record<byte[], SpecificRecord>(r.key(), a.answer(), r.timestamp(), headers), answersChild);
                metrics.answered(a.answer());
                answered++;
            } else {
                forwardDeadLetter(r.key(), r.timestamp(), headers, ((BatchOutput.DeadLettered) out).deadLetter());
            }
            Long sequence = batch.get(i).getKey();
            store.delete(sequence);
            pending.remove(sequence);
            pendingTokens -= r.imageTokens();
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        metrics.batchCompleted(batch.size(), batchTokens, elapsed);
        metrics.pending(context.taskId().toString(), pending.size());
        log.debug("batch pipeline={} task={} size={} image_tokens={} answered={} dead_lettered={} ms={} pending={}",
                metrics.pipeline(), context.taskId(), batch.size(), batchTokens, answered, batch.size() - answered,
                elapsed.toMillis(), pending.size());
    }

    private int estimateTokens(ImageEvent event) {
        if (!(event.getImage() instanceof InlineImage inline)) {
            return limits.referenceImageTokens();
        }
        var request = requests.build(event, BatchExecutor.bytes(inline.getData()));
        try {
            return Math.max(1, engine.estimateImageTokens(request));
        } catch (InferenceException e) {
            // The image fails again, with its reason, when its batch runs; count it as a typical image.
            return limits.referenceImageTokens();
        }
    }

    private void forwardDeadLetter(byte[] key, long timestamp, Headers headers, DeadLetter deadLetter) {
        log.warn("Dead letter from {}-{}@{}: {} {}", deadLetter.getSourceTopic(), deadLetter.getSourcePartition(),
                deadLetter.getSourceOffset(), deadLetter.getReason(), deadLetter.getMessage());
        context.forward(new Record<byte[], SpecificRecord>(key, deadLetter, timestamp, headers), deadLettersChild);
        metrics.deadLettered(deadLetter);
    }

    @Override
    public void close() {
        // The task may move to another instance: its pending requests are no longer counted here.
        if (context != null) {
            metrics.pending(context.taskId().toString(), 0);
        }
    }

    private static List<PendingRequest.Header> headersOf(Headers headers) {
        List<PendingRequest.Header> out = new ArrayList<>();
        headers.forEach(h -> out.add(new PendingRequest.Header(h.key(), h.value())));
        return out;
    }

    private static Headers toHeaders(List<PendingRequest.Header> headers) {
        RecordHeaders out = new RecordHeaders();
        headers.forEach(h -> out.add(h.key(), h.value()));
        return out;
    }
}
