package io.vlmstreams.topology.ops.ui;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vlmstreams.schemas.Answer;
import io.vlmstreams.schemas.DeadLetter;
import io.vlmstreams.schemas.ImageEvent;
import io.vlmstreams.schemas.ImageReference;
import io.vlmstreams.schemas.InlineImage;
import io.vlmstreams.schemas.LabelScore;
import io.vlmstreams.schemas.json.AvroJson;
import io.vlmstreams.schemas.serde.SchemaRegistryClient;
import io.vlmstreams.schemas.serde.SpecificAvroSerde;
import io.vlmstreams.topology.config.AppConfig;
import io.vlmstreams.topology.config.PipelineConfig;
import io.vlmstreams.topology.config.UiConfig;
import io.vlmstreams.topology.ops.OpsServer;
import io.vlmstreams.topology.ops.VlmMetrics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live view's state and its one thread: input events arrive from the {@link StreamTap} (kept in
 * an {@link EventStore} for their image and prompt), committed answers and dead letters become view
 * entries (newest kept, oldest dropped), and every browser connected to {@code /ui/events} gets each
 * entry and, once a second, the header's figures from {@link VlmMetrics}.
 *
 * <p>Nothing here can slow the pipeline: the tap only offers to a bounded queue (4,096 items, 32 MiB
 * of record values) that drops its oldest when full, records are deserialized on this thread, and
 * each browser has its own bounded queue and writer thread ({@link SseClient}). What is dropped is
 * dropped from the view only.
 */
public final class LiveView implements StreamTap, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LiveView.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int INBOX = 4096;
    // The tap's queue holds references to record values (inline images): bound their bytes too.
    private static final long INBOX_BYTES = 32L << 20;
    private static final int CLIENT_QUEUE = 512;
    private static final int MAX_CLIENTS = 16;
    private static final int MAX_SOURCES = 12;
    private static final long STATS_EVERY_MS = 1000;
    private static final long RATE_WINDOW_MS = 10_000;

    private final UiConfig config;
    private final Map<String, PipelineConfig> pipelineByInput = new HashMap<>();
    private final Set<String> answerTopics;
    private final String deadLetterTopic;
    private final Deserializer<ImageEvent> events;
    private final Deserializer<Answer> answers;
    private final Deserializer<DeadLetter> deadLetters;
    private final VlmMetrics metrics;
    private final String modelId;
    private final EventStore store;
    private final BlockingQueue<Inbound> inbox = new ArrayBlockingQueue<>(INBOX);
    private final AtomicLong inboxDropped = new AtomicLong();
    private final AtomicLong inboxBytes = new AtomicLong();
    private final AtomicLong entriesMade = new AtomicLong();
    private final ArrayDeque<String> entries = new ArrayDeque<>();
    private final LinkedHashMap<String, HeldEvent> latestBySource = new LinkedHashMap<>();
    private final ArrayDeque<long[]> answeredSamples = new ArrayDeque<>();
    private final CopyOnWriteArrayList<SseClient> clients = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    private final Thread thread;
    private volatile String lastStats = "{}";
    private volatile boolean closed;

    /** A view of the pipelines in {@code app}, reading records with {@code registry}; call {@link #start()}. */
    public LiveView(AppConfig app, SchemaRegistryClient registry, VlmMetrics metrics, String modelId) {
        this.config = app.ui();
        for (PipelineConfig p : app.pipelines()) {
            p.inputTopics().forEach(t -> pipelineByInput.put(t, p));
        }
        this.answerTopics = app.pipelines().stream().map(PipelineConfig::outputTopic).collect(Collectors.toSet());
        this.deadLetterTopic = app.deadLetterTopic();
        this.events = deserializer(ImageEvent.class, registry, app);
        this.answers = deserializer(Answer.class, registry, app);
        this.deadLetters = deserializer(DeadLetter.class, registry, app);
        this.metrics = metrics;
        this.modelId = modelId;
        this.store = new EventStore(Math.max(1024, config.maxEntries() * 4), config.maxImageBytes());
        this.thread = new Thread(this::loop, "vlm-ui");
        thread.setDaemon(true);
    }

    private static <T extends org.apache.avro.specific.SpecificRecord> Deserializer<T> deserializer(
            Class<T> type, SchemaRegistryClient registry, AppConfig app) {
        SpecificAvroSerde<T> serde = new SpecificAvroSerde<>(type, registry);
        serde.configure(app.serdeConfigs(), false);
        return serde.deserializer();
    }

    /** The clients Kafka Streams should use so that this view sees its records. */
    public TapClientSupplier clientSupplier() {
        Set<String> outputs = new java.util.HashSet<>(answerTopics);
        outputs.add(deadLetterTopic);
        return new TapClientSupplier(pipelineByInput.keySet(), outputs, this);
    }

    public LiveView start() {
        thread.start();
        return this;
    }

    /** Serves the view under {@code /ui} on {@code ops}. */
    public void mount(OpsServer ops) {
        ops.mount("/ui", new UiHandler(this, new UiAccess(config.bindAddress())));
    }

    UiConfig config() {
        return config;
    }

    // ---- the tap: stream threads; never block ----

    @Override
    public void consumed(ConsumerRecord<byte[], byte[]> record) {
        enqueue(record, record.value() == null ? 0 : record.value().length);
    }

    @Override
    public void committed(List<ProducerRecord<byte[], byte[]>> records) {
        long bytes = 0;
        for (ProducerRecord<byte[], byte[]> r : records) {
            bytes += r.value() == null ? 0 : r.value().length;
        }
        enqueue(records, bytes);
    }

    /** Queues {@code item}, dropping the oldest queued items while the queue is full or over its byte budget. */
    private void enqueue(Object item, long bytes) {
        if (closed) {
            return;
        }
        Inbound in = new Inbound(item, bytes);
        inboxBytes.addAndGet(bytes);
        while (!inbox.offer(in)) {
            dropOldest();
        }
        while (inboxBytes.get() > INBOX_BYTES && inbox.size() > 1) {
            dropOldest();
        }
    }

    private void dropOldest() {
        Inbound old = inbox.poll();
        if (old != null) {
            inboxBytes.addAndGet(-old.bytes());
            inboxDropped.incrementAndGet();
        }
    }

    /** One tapped item and the bytes of record values it holds on to. */
    private record Inbound(Object item, long bytes) { }

    // ---- the view's thread ----

    private void loop() {
        long nextStats = 0;
        while (!closed) {
            try {
                Inbound in = inbox.poll(200, TimeUnit.MILLISECONDS);
                Object item = null;
                if (in != null) {
                    inboxBytes.addAndGet(-in.bytes());
                    item = in.item();
                }
                if (item instanceof ConsumerRecord<?, ?> r) {
                    hold(r.topic(), (byte[]) r.value());
                } else if (item instanceof List<?> committed) {
                    for (Object o : committed) {
                        ProducerRecord<?, ?> r = (ProducerRecord<?, ?>) o;
                        try {
                            entry(r.topic(), (byte[]) r.value());
                        } catch (RuntimeException e) {
                            LOG.debug("live view skipped a record of {}", r.topic(), e);
                        }
                    }
                }
                long now = System.currentTimeMillis();
                if (now >= nextStats) {
                    nextStats = now + STATS_EVERY_MS;
                    String stats = stats(now).toString();
                    lastStats = stats;
                    broadcast("stats", stats);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // One odd record must not end the view.
                LOG.debug("live view skipped a record", e);
            }
        }
    }

    private void hold(String topic, byte[] value) {
        PipelineConfig p = pipelineByInput.get(topic);
        if (p == null || value == null) {
            return;
        }
        ImageEvent e;
        try {
            e = events.deserialize(topic, value);
        } catch (RuntimeException ex) {
            return; // it will show as a dead letter
        }
        byte[] image = null;
        String mediaType = null;
        String uri = null;
        if (e.getImage() instanceof InlineImage inline) {
            ByteBuffer data = inline.getData().duplicate();
            image = new byte[data.remaining()];
            data.get(image);
            mediaType = inline.getMediaType() != null ? inline.getMediaType() : MediaTypes.sniff(image);
        } else if (e.getImage() instanceof ImageReference ref) {
            uri = ref.getUri();
            mediaType = ref.getMediaType();
        }
        String prompt = e.getPrompt() != null ? e.getPrompt() : p.prompt();
        HeldEvent held = new HeldEvent(e.getEventId(), p.name(), e.getSourceId(), prompt,
                e.getEventTime().toEpochMilli(), image, mediaType, uri, AvroJson.of(e));
        store.put(held);
        if (held.source() != null) {
            latestBySource.remove(held.source());
            latestBySource.put(held.source(), held);
            if (latestBySource.size() > MAX_SOURCES) {
                latestBySource.remove(latestBySource.keySet().iterator().next());
            }
        }
    }

    private void entry(String topic, byte[] value) {
        ObjectNode node;
        if (topic.equals(deadLetterTopic)) {
            node = deadLetterEntry(deadLetters.deserialize(topic, value));
        } else if (answerTopics.contains(topic)) {
            node = answerEntry(answers.deserialize(topic, value));
        } else {
            return;
        }
        node.put("seq", entriesMade.incrementAndGet());
        node.put("at", System.currentTimeMillis());
        String json = node.toString();
        synchronized (lock) {
            entries.addLast(json);
            while (entries.size() > config.maxEntries()) {
                entries.removeFirst();
            }
            for (SseClient c : clients) {
                c.offer("entry", json);
            }
        }
    }

    private ObjectNode answerEntry(Answer a) {
        HeldEvent e = store.get(a.getEventId());
        ObjectNode n = JSON.createObjectNode();
        n.put("kind", "answer");
        n.put("pipeline", a.getPipeline());
        n.put("source", a.getSourceId() != null ? a.getSourceId() : e != null ? e.source() : null);
        n.put("event_id", a.getEventId());
        n.put("prompt", e != null ? e.prompt() : null);
        n.put("text", a.getText());
        n.put("finish", a.getFinishReason().name());
        ObjectNode tokens = n.putObject("tokens");
        tokens.put("prompt", a.getPromptTokens());
        tokens.put("image", a.getImageTokens());
        tokens.put("generated", a.getGeneratedTokens());
        ObjectNode t = n.putObject("timings");
        t.put("queued", a.getTimings().getQueuedMs());
        t.put("preprocess", a.getTimings().getPreprocessMs());
        t.put("encode", a.getTimings().getEncodeMs());
        t.put("decode", a.getTimings().getDecodeMs());
        if (a.getLabelScores() != null) {
            ArrayNode labels = n.putArray("labels");
            for (LabelScore s : a.getLabelScores()) {
                labels.addObject().put("label", s.getLabel()).put("score", s.getScore());
            }
        }
        n.set("attributes", AvroJson.of(a.getAttributes()));
        return withImageAndRecord(n, e, "answer", a);
    }

    private ObjectNode deadLetterEntry(DeadLetter d) {
        HeldEvent e = store.get(d.getEventId());
        ObjectNode n = JSON.createObjectNode();
        n.put("kind", "dead_letter");
        n.put("pipeline", d.getPipeline() != null ? d.getPipeline() : e != null ? e.pipeline() : VlmMetrics.UNKNOWN_PIPELINE);
        n.put("source", e != null ? e.source() : null);
        n.put("event_id", d.getEventId());
        n.put("prompt", e != null ? e.prompt() : null);
        n.put("reason", d.getReason().name());
        n.put("message", d.getMessage());
        n.put("origin", d.getSourceTopic() + "-" + d.getSourcePartition() + "@" + d.getSourceOffset());
        return withImageAndRecord(n, e, "dead_letter", d);
    }

    /** Adds the entry's image and its full records: {@code value} under {@code name}, and the event when held. */
    private ObjectNode withImageAndRecord(ObjectNode n, HeldEvent e, String name, Object value) {
        n.set("image", image(e));
        ObjectNode record = n.putObject("record");
        record.set(name, AvroJson.of(value));
        record.set("event", e != null ? e.record() : null);
        return n;
    }

    private ObjectNode image(HeldEvent e) {
        ObjectNode img = JSON.createObjectNode();
        if (e == null) {
            img.put("note", "image not held by the view");
        } else if (e.image() != null) {
            img.put("src", imagePath(e.eventId()));
        } else if (e.uri() != null) {
            if (config.showReferencedImages() && isHttp(e.uri())) {
                img.put("src", e.uri());
            } else {
                img.put("note", "image by reference, not shown (ui.show.referenced.images=false)");
            }
        } else {
            img.put("note", "image too large for the view");
        }
        return img;
    }

    private static String imagePath(String eventId) {
        return "/ui/image/" + URLEncoder.encode(eventId, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static boolean isHttp(String uri) {
        try {
            String scheme = URI.create(uri).getScheme();
            return "http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private ObjectNode stats(long now) {
        ViewFigures f = ViewFigures.read(metrics.registry());
        answeredSamples.addLast(new long[] {now, (long) f.answered()});
        while (answeredSamples.size() > 2 && answeredSamples.peekFirst()[0] < now - RATE_WINDOW_MS) {
            answeredSamples.removeFirst();
        }
        long[] first = answeredSamples.peekFirst();
        double rate = now > first[0] ? (f.answered() - first[1]) * 1000.0 / (now - first[0]) : 0;
        ObjectNode n = JSON.createObjectNode();
        n.put("events_in", f.eventsIn());
        n.put("answered", f.answered());
        ObjectNode dead = n.putObject("dead_lettered");
        f.deadLettered().forEach(dead::put);
        n.put("answers_per_s", Math.round(rate * 100) / 100.0);
        if (f.decoding() != null) {
            n.put("decoding", f.decoding());
        }
        n.put("model", modelId);
        n.put("provider", f.provider());
        n.put("view_dropped", inboxDropped.get());
        ArrayNode sources = n.putArray("sources");
        for (HeldEvent e : latestBySource.values()) {
            ObjectNode s = sources.addObject();
            s.put("source", e.source());
            s.put("event_id", e.eventId());
            s.put("pipeline", e.pipeline());
            s.put("age_ms", Math.max(0, now - e.eventTime()));
            s.set("image", image(store.get(e.eventId()) != null ? e : null));
        }
        return n;
    }

    // ---- browsers ----

    /** Opens an event stream: the entries held (oldest first, so the page's newest-first order holds), then live. */
    boolean subscribe(com.sun.net.httpserver.HttpExchange exchange) {
        if (closed || clients.size() >= MAX_CLIENTS) {
            return false;
        }
        SseClient[] holder = new SseClient[1];
        SseClient client = new SseClient(exchange, CLIENT_QUEUE, () -> clients.remove(holder[0]));
        holder[0] = client;
        synchronized (lock) {
            ObjectNode hello = JSON.createObjectNode();
            hello.put("max_entries", config.maxEntries());
            hello.put("model", modelId);
            client.offer("hello", hello.toString());
            for (String json : entries) {
                client.offer("entry", json);
            }
            client.offer("stats", lastStats);
            clients.add(client);
        }
        Thread writer = new Thread(client, "vlm-ui-sse");
        writer.setDaemon(true);
        writer.start();
        return true;
    }

    private void broadcast(String event, String data) {
        for (SseClient c : clients) {
            c.offer(event, data);
        }
    }

    /** The held event's image for {@code /ui/image/<id>}, or null. */
    HeldEvent heldImage(String eventId) {
        HeldEvent e = store.get(eventId);
        return e != null && e.image() != null ? e : null;
    }

    /** Entries made since start (tests). */
    public long entriesMade() {
        return entriesMade.get();
    }

    /** Records the tap dropped because the view's thread was behind (the view only misses them). */
    public long droppedFromView() {
        return inboxDropped.get();
    }

    /** Browsers connected now (tests). */
    public int clients() {
        return clients.size();
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        clients.forEach(SseClient::close);
        clients.clear();
        inbox.clear();
    }
}
