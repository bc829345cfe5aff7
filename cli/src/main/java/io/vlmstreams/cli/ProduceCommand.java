package io.vlmstreams.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import io.vlmstreams.schemas.ImageEvent;
import io.vlmstreams.schemas.ImageReference;
import io.vlmstreams.schemas.InlineImage;
import io.vlmstreams.schemas.serde.SpecificAvroSerde;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code produce}: sends ImageEvents made from image files or URLs, cycling through them until
 * {@code --count} are sent, each with a fresh event id. Files go as they are, unjudged, so corrupt
 * images can be sent on purpose; {@code --raw} sends a file's bytes as the record value unchanged.
 * Records are keyed by {@code --source} when given (one source's events stay in order), else by event id.
 * It reports success only once the broker has acknowledged every event, and exits non-zero otherwise.
 */
@Command(name = "produce", mixinStandardHelpOptions = true, description = "Send ImageEvents to a topic.")
public final class ProduceCommand implements Callable<Integer> {

    /** The event attribute naming the file or URL an event was made from; answers carry it on. */
    static final String FILE_ATTRIBUTE = "file";

    @Mixin
    ClientOptions client;

    @Option(names = "--topic", required = true, description = "Topic to send to.")
    String topic;

    @ArgGroup(exclusive = false, multiplicity = "1")
    Images images;

    /** Where the images come from; at least one is needed. */
    static final class Images {
        @Option(names = "--dir", description = "Send every file in this folder.")
        Path dir;

        @Option(names = "--image", arity = "1..*", description = "Image files.")
        List<Path> files = new ArrayList<>();

        @Option(names = "--url", arity = "1..*", description = "Image URLs (sent by reference).")
        List<String> urls = new ArrayList<>();

        @Option(names = "--raw", arity = "1..*", description = "Files whose bytes are sent as record values, unchanged.")
        List<Path> raw = new ArrayList<>();
    }

    @Option(names = "--prompt", description = "Prompt carried by each event (default: the pipeline's).")
    String prompt;

    @Option(names = "--source", description = "source_id of each event, and then also the record key (default: this host's name; key: the event id).")
    String source;

    @Option(names = "--count", description = "Events to send (default: one per image).")
    Integer count;

    @Option(names = "--timeout", defaultValue = "30", paramLabel = "S",
            description = "Give up on a send after this many seconds (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override
    public Integer call() {
        List<Object> items = items();
        int total = count != null ? count : items.size();
        Map<String, Object> configs = client.clientConfigs();
        configs.put(ProducerConfig.ACKS_CONFIG, "all");
        boundTimeouts(configs, timeoutSeconds);
        if (!ClientCheck.passes(configs, topic, "--topic",
                java.time.Duration.ofSeconds(Math.min(timeoutSeconds, ClientCheck.TIMEOUT.toSeconds())), System.err)) {
            return io.vlmstreams.topology.app.StreamsMain.EXIT_NOT_READY;
        }
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        List<String> sent = new ArrayList<>();
        String sourceId = source != null ? source : HostName.get();
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (SpecificAvroSerde<ImageEvent> serde = new SpecificAvroSerde<>(ImageEvent.class);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(configs, new ByteArraySerializer(),
                     new ByteArraySerializer())) {
            serde.configure(configs, false);
            // After a failure the rest would fail the same way, each after its own wait: stop sending.
            for (int i = 0; i < total && failure.get() == null; i++) {
                Object item = items.get(i % items.size());
                String eventId = UUID.randomUUID().toString();
                byte[] value = item instanceof RawFile raw ? raw.bytes()
                        : serde.serializer().serialize(topic, event(eventId, sourceId, item));
                sent.add(eventId + "  " + TerminalText.escape(label(item)));
                String key = source != null ? source : eventId;
                sends.add(producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value),
                        (metadata, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            }
                        }));
            }
            producer.flush();
        }
        long acknowledged = sends.stream().filter(ProduceCommand::succeeded).count();
        if (failure.get() != null || acknowledged < total) {
            System.err.printf("error: only %d of %d events were acknowledged by topic %s: %s%n", acknowledged, total,
                    topic, reason(failure.get()));
            return 1;
        }
        sent.forEach(System.out::println);
        System.out.println("sent " + total + " events to " + topic + " (" + acknowledged + " acknowledged; source_id "
                + TerminalText.escape(sourceId) + ")");
        return 0;
    }

    /**
     * Bounds how long a send may take, unless {@code --set} chose otherwise: the producer otherwise
     * waits a minute for a missing topic's metadata and two for a delivery.
     */
    static void boundTimeouts(Map<String, Object> configs, int timeoutSeconds) {
        if (timeoutSeconds < 1 || timeoutSeconds > 86_400) {
            throw new IllegalArgumentException("--timeout must be 1 to 86400 seconds, got " + timeoutSeconds);
        }
        int timeoutMs = timeoutSeconds * 1000;
        configs.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
        configs.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMs);
        // The producer rejects a delivery timeout shorter than linger plus one request.
        configs.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(30_000, timeoutMs / 2));
    }

    /** Whether a completed send was acknowledged; {@code flush()} has completed every one. */
    private static boolean succeeded(Future<RecordMetadata> send) {
        try {
            send.get();
            return true;
        } catch (ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private String reason(Exception e) {
        if (e == null) {
            return "unknown error";
        }
        String hint = e instanceof TimeoutException || e instanceof UnknownTopicOrPartitionException
                ? " (does topic " + topic + " exist, and is the broker reachable?)" : "";
        return e.getClass().getSimpleName() + ": " + e.getMessage() + hint;
    }

    /** A {@code --raw} file. */
    private record RawFile(Path file, byte[] bytes) { }

    /** What an item is called in the output and in the event's {@code file} attribute. */
    private static String label(Object item) {
        return item instanceof RawFile raw ? raw.file().toString() : item.toString();
    }

    private List<Object> items() {
        List<Object> items = new ArrayList<>();
        List<Path> files = new ArrayList<>(images.files);
        if (images.dir != null) {
            try (Stream<Path> list = Files.list(images.dir)) {
                list.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith("."))
                        .filter(f -> mediaType(f) != null).sorted().forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + images.dir, e);
            }
        }
        files.forEach(f -> items.add(f));
        items.addAll(images.urls);
        images.raw.forEach(f -> items.add(new RawFile(f, read(f))));
        if (items.isEmpty()) {
            throw new IllegalArgumentException("no images to send");
        }
        return items;
    }

    private ImageEvent event(String eventId, String sourceId, Object item) {
        Object image = item instanceof Path file
                ? new InlineImage(ByteBuffer.wrap(read(file)), mediaType(file))
                : new ImageReference((String) item, mediaType(Path.of(((String) item).replaceAll("[?#].*$", ""))));
        return ImageEvent.newBuilder()
                .setEventId(eventId)
                .setSourceId(sourceId)
                .setEventTime(Instant.now())
                .setImage(image)
                .setPrompt(prompt)
                .setOverrides(null)
                .setAttributes(Map.of(FILE_ATTRIBUTE, label(item)))
                .build();
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** The media type its extension implies, or null for an unknown extension. */
    static String mediaType(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        return switch (dot < 0 ? "" : name.substring(dot + 1)) {
            case "jpg", "jpeg" -> "image/jpeg";
            case "png" -> "image/png";
            case "webp" -> "image/webp";
            case "bmp" -> "image/bmp";
            case "gif" -> "image/gif";
            default -> null;
        };
    }
}
