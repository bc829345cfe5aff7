package io.vlmstreams.topology.ops.ui;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaClientSupplier;

/**
 * Kafka Streams' clients, as its default supplier builds them, with a {@link StreamTap} on the
 * records the application already handles: the main consumer's input records, and the answers and
 * dead letters its producers send, handed on only after {@code commitTransaction()} returns (an
 * aborted transaction's records are dropped), so the view shows exactly what consumers with
 * {@code read_committed} see. No extra consumer, no extra group, nothing on the model path.
 *
 * <p>The clients are wrapped with {@link Proxy} rather than by subclassing, so every method of
 * {@link Producer} and {@link Consumer} (which grow between Kafka versions) passes through unchanged.
 */
public final class TapClientSupplier implements KafkaClientSupplier {

    private final Set<String> inputTopics;
    private final Set<String> outputTopics;
    private final StreamTap tap;

    /** Taps {@code inputTopics} on the main consumer and {@code outputTopics} on the producers. */
    public TapClientSupplier(Set<String> inputTopics, Set<String> outputTopics, StreamTap tap) {
        this.inputTopics = Set.copyOf(inputTopics);
        this.outputTopics = Set.copyOf(outputTopics);
        this.tap = tap;
    }

    @Override
    public Admin getAdmin(Map<String, Object> config) {
        return Admin.create(config);
    }

    @Override
    public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
        Producer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
        return wrapProducer(producer, config.get(ProducerConfig.TRANSACTIONAL_ID_CONFIG) != null);
    }

    @Override
    public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
        return wrapConsumer(new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer()));
    }

    @Override
    public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** {@code producer} with its sends to the output topics handed to the tap once committed. */
    @SuppressWarnings("unchecked")
    Producer<byte[], byte[]> wrapProducer(Producer<byte[], byte[]> producer, boolean transactional) {
        InvocationHandler handler = new ProducerTap(producer, transactional);
        return (Producer<byte[], byte[]>) Proxy.newProxyInstance(Producer.class.getClassLoader(),
                new Class<?>[] {Producer.class}, handler);
    }

    /** {@code consumer} with its polled input records handed to the tap. */
    @SuppressWarnings("unchecked")
    Consumer<byte[], byte[]> wrapConsumer(Consumer<byte[], byte[]> consumer) {
        InvocationHandler handler = (proxy, method, args) -> {
            Object result = invoke(consumer, method, args);
            if (method.getName().equals("poll") && result instanceof ConsumerRecords<?, ?> records && !records.isEmpty()) {
                for (ConsumerRecord<?, ?> r : records) {
                    if (inputTopics.contains(r.topic())) {
                        tap.consumed((ConsumerRecord<byte[], byte[]>) r);
                    }
                }
            }
            return result;
        };
        return (Consumer<byte[], byte[]>) Proxy.newProxyInstance(Consumer.class.getClassLoader(),
                new Class<?>[] {Consumer.class}, handler);
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** Holds the current transaction's output records until it commits. */
    private final class ProducerTap implements InvocationHandler {
        private final Producer<byte[], byte[]> producer;
        private final boolean transactional;
        private final List<ProducerRecord<byte[], byte[]>> open = new ArrayList<>();

        ProducerTap(Producer<byte[], byte[]> producer, boolean transactional) {
            this.producer = producer;
            this.transactional = transactional;
        }

        @Override
        @SuppressWarnings("unchecked")
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            switch (method.getName()) {
                case "send" -> {
                    ProducerRecord<byte[], byte[]> record = (ProducerRecord<byte[], byte[]>) args[0];
                    if (outputTopics.contains(record.topic())) {
                        if (transactional) {
                            synchronized (open) {
                                open.add(record);
                            }
                        } else {
                            // Without transactions a record is committed once the broker acknowledges it.
                            Callback given = args.length > 1 ? (Callback) args[1] : null;
                            Callback acked = (metadata, error) -> {
                                if (error == null) {
                                    tap.committed(List.of(record));
                                }
                                if (given != null) {
                                    given.onCompletion(metadata, error);
                                }
                            };
                            return producer.send(record, acked);
                        }
                    }
                    return TapClientSupplier.invoke(producer, method, args);
                }
                case "commitTransaction" -> {
                    List<ProducerRecord<byte[], byte[]>> done;
                    try {
                        Object result = TapClientSupplier.invoke(producer, method, args);
                        done = take();
                        if (!done.isEmpty()) {
                            tap.committed(done);
                        }
                        return result;
                    } catch (Throwable e) {
                        take(); // not committed (or not known to be): the view must not show them
                        throw e;
                    }
                }
                case "abortTransaction", "beginTransaction" -> {
                    take();
                    return TapClientSupplier.invoke(producer, method, args);
                }
                default -> {
                    return TapClientSupplier.invoke(producer, method, args);
                }
            }
        }

        private List<ProducerRecord<byte[], byte[]>> take() {
            synchronized (open) {
                List<ProducerRecord<byte[], byte[]>> out = List.copyOf(open);
                open.clear();
                return out;
            }
        }
    }
}
