package io.vlmstreams.topology.processor;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.vlmstreams.inference.engine.BatchPolicy;
import io.vlmstreams.schemas.DeadLetter;
import io.vlmstreams.schemas.DeadLetterReason;
import io.vlmstreams.schemas.ImageEvent;
import io.vlmstreams.topology.config.BatchConfig;
import io.vlmstreams.topology.config.FeedConfig;
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
 * commits input offsets without asking processors, and only what is in the store survives. Where a
 * batch is cut is the pipeline's {@link BatchPolicy} ({@code batch.max.size} requests,
 * {@code batch.max.image.tokens} estimated image tokens). A batch runs on the task's own thread, in
 * {@code process} when it is full (or the next request would overflow it), or in a wall-clock
 * punctuation when the oldest request has waited {@code batch.linger.ms}; its answers, dead letters
 * and store deletes then commit in one transaction with the input offsets. Entries found in the
 * store at init (restore after a crash, or a rebalance) run at the first tick.
 *
 * <p>Each record is decoded and its request built once, on arrival ({@link RecordIntake}); the
 * result is held in memory beside the store entry ({@link HeldRequest}), and entries found in the
 * store at init are taken in once there.
 *
 * <p>Camera feeds ({@link FeedConfig}): a frame past {@code max.event.age.ms} is dead-lettered
 * {@code STALE} on arrival or when its batch would start ({@link FreshnessGate}); with
 * {@code latest.per.source} a newer frame of a source replaces its pending one, which is
 * dead-lettered {@code SUPERSEDED} in the same processing step (so the same transaction) as the
 * store change; batches take requests in {@link SourceScheduler}'s order.
 */
public final class BatchingProcessor implements Processor<byte[], byte[], byte[], SpecificRecord> {

    private static final Logger log = LoggerFactory.getLogger(BatchingProcessor.class);

    /** How many full batches a read-ahead store holds before {@code process} runs one itself. */
    static final int READ_AHEAD_BATCHES = 4;

    private final String storeName;
    private final String answersChild;
    private final String deadLettersChild;
    private final BatchConfig limits;
    private final BatchPolicy policy;
    private final RecordIntake intake;
    private final BatchExecutor executor;
    private final DeadLetters deadLetters;
    private final PipelineMetrics metrics;
    private final FeedConfig feed;
    /** Made in {@link #init}: its delivery margin comes from the Streams configuration. */
    private FreshnessGate freshness;
    private final SourceScheduler scheduler;
    /** Latest per source or round-robin: the store reads ahead of the model (see {@link #admitAhead}). */
    private final boolean readAhead;

    /** In-memory mirror of the store, in arrival order; the store stays the source of truth. */
    private final TreeMap<Long, HeldRequest> pending = new TreeMap<>();
    private ProcessorContext<byte[], SpecificRecord> context;
    private KeyValueStore<Long, PendingRequest> store;
    private long nextSequence;
    /** Read-ahead pacing: whether the intake has caught up with what arrived during the last batch. */
    private boolean recordsSinceTick;
    private long lastRecordTimestamp = Long.MIN_VALUE;
    private long lastBatchEndMs = Long.MIN_VALUE;
    private long lastBatchMs;
    private boolean restoredEntriesDue;

    /** Wiring of one processor instance; {@link io.vlmstreams.topology.VlmTopology} builds it. */
    public record Wiring(String storeName, String answersChild, String deadLettersChild, BatchConfig limits,
                         RecordIntake intake, BatchExecutor executor, DeadLetters deadLetters, PipelineMetrics metrics,
                         FeedConfig feed) {

        /** Wiring with the camera-feed settings off. */
        public Wiring(String storeName, String answersChild, String deadLettersChild, BatchConfig limits,
                      RecordIntake intake, BatchExecutor executor, DeadLetters deadLetters, PipelineMetrics metrics) {
            this(storeName, answersChild, deadLettersChild, limits, intake, executor, deadLetters, metrics, FeedConfig.OFF);
        }

        /** Wiring whose meters go to a registry of their own (tests that do not look at them). */
        public Wiring(String storeName, String answersChild, String deadLettersChild, BatchConfig limits,
                      RecordIntake intake, BatchExecutor executor, DeadLetters deadLetters) {
            this(storeName, answersChild, deadLettersChild, limits, intake, executor, deadLetters,
                    new VlmMetrics().pipeline(storeName));
        }
    }

    public BatchingProcessor(Wiring w) {
        this.storeName = w.storeName();
        this.answersChild = w.answersChild();
        this.deadLettersChild = w.deadLettersChild();
        this.limits = w.limits();
        this.policy = BatchPolicy.pipeline(limits.maxSize(), limits.maxImageTokens());
        this.intake = w.intake();
        this.executor = w.executor();
        this.deadLetters = w.deadLetters();
        this.metrics = w.metrics();
        this.feed = w.feed();
        this.scheduler = new SourceScheduler(feed.roundRobin());
        this.readAhead = feed.latestPerSource() || feed.roundRobin();
    }

    @Override
    public void init(ProcessorContext<byte[], SpecificRecord> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
        this.freshness = new FreshnessGate(feed.maxEventAge(), FreshnessGate.deliveryMs(context.appConfigs()));
        // A task revived after an aborted transaction re-runs init on this instance: the store,
        // restored from the changelog, is the truth and the old mirror must not leak into it.
        pending.clear();
        try (KeyValueIterator<Long, PendingRequest> all = store.all()) {
            all.forEachRemaining(kv -> pending.put(kv.key, new HeldRequest(kv.value, intake.read(kv.value.sourceTopic(), kv.value.value()))));
        }
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
        recordsSinceTick = true;
        lastRecordTimestamp = Math.max(lastRecordTimestamp, record.timestamp());
        RecordIntake.Intake taken = intake.read(meta.topic(), record.value());
        if (taken instanceof RecordIntake.Intake.Rejected r) {
            forwardDeadLetter(record.key(), record.timestamp(), record.headers(),
                    deadLetters.of(meta.topic(), meta.partition(), meta.offset(), r.eventId(), r.reason(),
                            r.message(), record.value(), Instant.ofEpochMilli(now)));
            return;
        }
        PendingRequest request = new PendingRequest(record.key(), record.value(), record.timestamp(),
                headersOf(record.headers()), meta.topic(), meta.partition(), meta.offset(), now, intake.imageTokens(taken));
        HeldRequest held = new HeldRequest(request, taken);
        String stale = freshness.staleOnArrival(taken, now);
        if (stale != null) {
            forwardDeadLetter(record.key(), record.timestamp(), record.headers(),
                    deadLetters.of(request, FreshnessGate.eventOf(taken).getEventId().toString(), DeadLetterReason.STALE,
                            stale, Instant.ofEpochMilli(now)));
            return;
        }
        if (feed.latestPerSource() && supersededByPending(held, now)) {
            return;
        }
        if (readAhead) {
            admitAhead(held);
            return;
        }
        if (!pending.isEmpty() && policy.joinable(pendingLoad(), List.of(held.cost())) == 0) {
            // This request would overflow the batch: what is pending is a full batch without it.
            runBatches(true);
        }
        long sequence = nextSequence++;
        store.put(sequence, request);
        pending.put(sequence, held);
        metrics.pending(context.taskId().toString(), pending.size());
        if (policy.full(pendingLoad())) {
            runBatches(false);
        }
    }

    /**
     * Read-ahead admission (latest per source or round-robin): the request joins the store and the
     * batch waits for the next tick, so that the thread keeps consuming while the model is busy and the
     * choice of what runs next sees newer frames; only a read-ahead of {@value #READ_AHEAD_BATCHES}
     * full batches runs a batch here, to bound what the store holds.
     */
    private void admitAhead(HeldRequest held) {
        long sequence = nextSequence++;
        store.put(sequence, held.stored());
        pending.put(sequence, held);
        metrics.pending(context.taskId().toString(), pending.size());
        if (pending.size() >= READ_AHEAD_BATCHES * limits.maxSize()) {
            runBatches(false, 1);
        }
    }

    /**
     * Keeps at most one pending request of {@code held}'s source: the one with the later event time
     * (the newcomer on a tie). Returns whether {@code held} itself lost, and was dead-lettered.
     */
    private boolean supersededByPending(HeldRequest held, long now) {
        String source = SourceScheduler.sourceOf(held);
        if (source == null) {
            return false;
        }
        Map.Entry<Long, HeldRequest> older = null;
        for (Map.Entry<Long, HeldRequest> e : pending.entrySet()) {
            if (source.equals(SourceScheduler.sourceOf(e.getValue()))) {
                older = e;
                break;
            }
        }
        if (older == null) {
            return false;
        }
        ImageEvent incoming = FreshnessGate.eventOf(held.intake());
        ImageEvent waiting = FreshnessGate.eventOf(older.getValue().intake());
        if (incoming.getEventTime().isBefore(waiting.getEventTime())) {
            supersede(held, waiting, now);
            return true;
        }
        supersede(older.getValue(), incoming, now);
        store.delete(older.getKey());
        pending.remove(older.getKey());
        return false;
    }

    private void supersede(HeldRequest loser, ImageEvent winner, long now) {
        PendingRequest r = loser.stored();
        forwardDeadLetter(r.key(), r.timestamp(), toHeaders(r.headers()), deadLetters.of(r,
                FreshnessGate.eventOf(loser.intake()).getEventId().toString(), DeadLetterReason.SUPERSEDED,
                "superseded by event " + winner.getEventId() + " of source " + winner.getSourceId(),
                Instant.ofEpochMilli(now)));
    }

    /** Dead-letters every pending request that would be stale if its batch started now. */
    private void dropStale() {
        if (!freshness.enabled()) {
            return;
        }
        long now = context.currentSystemTimeMs();
        for (var it = pending.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, HeldRequest> e = it.next();
            String stale = freshness.staleAtBatchStart(e.getValue().intake(), now);
            if (stale != null) {
                PendingRequest r = e.getValue().stored();
                forwardDeadLetter(r.key(), r.timestamp(), toHeaders(r.headers()), deadLetters.of(r,
                        FreshnessGate.eventOf(e.getValue().intake()).getEventId().toString(), DeadLetterReason.STALE,
                        stale, Instant.ofEpochMilli(now)));
                store.delete(e.getKey());
                it.remove();
            }
        }
    }

    private void onTick() {
        if (pending.isEmpty()) {
            restoredEntriesDue = false;
            return;
        }
        boolean lingered = context.currentSystemTimeMs() - pending.firstEntry().getValue().stored().arrivalMs()
                >= limits.linger().toMillis();
        if (readAhead) {
            // One batch per tick: the thread goes back to its records between batches. Restored entries
            // wait for a full batch or their linger like any other: a partial batch forced at restore
            // would answer a frame that the run without the crash superseded.
            boolean drain = lingered;
            restoredEntriesDue = false;
            if (intakeCaughtUp()) {
                runBatches(drain, 1);
            }
            return;
        }
        if (lingered || restoredEntriesDue) {
            restoredEntriesDue = false;
            runBatches(true);
        }
    }

    /**
     * Whether the next read-ahead batch may start: Streams interleaves a few records with each
     * punctuation once punctuations run long, so without this the next batch would start after a
     * record or two, from frames about to be superseded, while the frames that arrived during the
     * last batch wait in the topic and go stale. It may once no record came since the last tick (the
     * input is idle), once a record stamped after the last batch ended was taken in (the backlog is
     * read), or at the latest once the intake has had as long as the last batch took.
     */
    private boolean intakeCaughtUp() {
        boolean idle = !recordsSinceTick;
        recordsSinceTick = false;
        if (lastBatchEndMs == Long.MIN_VALUE) {
            return true;
        }
        return idle || lastRecordTimestamp >= lastBatchEndMs
                || context.currentSystemTimeMs() - lastBatchEndMs >= lastBatchMs;
    }

    private Iterable<BatchPolicy.Cost> pendingCosts() {
        return () -> pending.values().stream().map(HeldRequest::cost).iterator();
    }

    private BatchPolicy.Load pendingLoad() {
        return BatchPolicy.Load.of(pendingCosts());
    }

    /** Runs full batches; with {@code drain}, also the last partial one. */
    private void runBatches(boolean drain) {
        runBatches(drain, Integer.MAX_VALUE);
    }

    /** Runs at most {@code most} batches, as {@link #runBatches(boolean)}. */
    private void runBatches(boolean drain, int most) {
        for (int ran = 0; ran < most; ran++) {
            dropStale();
            if (pending.isEmpty()) {
                break;
            }
            List<Map.Entry<Long, HeldRequest>> ordered = scheduler.order(pending);
            int size = policy.joinable(BatchPolicy.Load.EMPTY,
                    () -> ordered.stream().map(e -> e.getValue().cost()).iterator());
            if (size == 0) {
                // a pipeline policy has no memory budget, so its first request always joins
                throw new IllegalStateException("the batch policy took no request into a batch");
            }
            List<Map.Entry<Long, HeldRequest>> batch = new ArrayList<>(ordered.subList(0, size));
            boolean full = size < pending.size()
                    || policy.full(BatchPolicy.Load.of(batch.stream().map(e -> e.getValue().cost()).toList()));
            if (!full && !drain) {
                return;
            }
            runBatch(batch);
        }
    }

    private void runBatch(List<Map.Entry<Long, HeldRequest>> batch) {
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
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        freshness.batchTook(elapsed);
        lastBatchMs = elapsed.toMillis();
        lastBatchEndMs = context.currentSystemTimeMs();
        metrics.batchCompleted(batch.size(), batchTokens, elapsed);
        metrics.pending(context.taskId().toString(), pending.size());
        log.debug("batch pipeline={} task={} size={} image_tokens={} answered={} dead_lettered={} ms={} pending={}",
                metrics.pipeline(), context.taskId(), batch.size(), batchTokens, answered, batch.size() - answered,
                elapsed.toMillis(), pending.size());
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
