package io.vlmstreams.cli.sandbox;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.vlmstreams.schemas.Answer;
import io.vlmstreams.schemas.DeadLetter;
import io.vlmstreams.schemas.StageTimings;
import io.vlmstreams.schemas.serde.SpecificAvroSerde;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads answers and dead letters as they commit (read_committed, so only what the application's
 * transactions committed) and prints each with a progress line. Runs on its own thread;
 * {@link #close()} stops it.
 */
final class AnswerWatcher implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(200);
    private static final int MAX_TEXT = 160;

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final SpecificAvroSerde<Answer> answers = new SpecificAvroSerde<>(Answer.class);
    private final SpecificAvroSerde<DeadLetter> deadLetters = new SpecificAvroSerde<>(DeadLetter.class);
    private final String answerTopic;
    private final PrintStream out;
    private final Thread thread;
    private volatile boolean running = true;

    private int sent;
    private int answered;
    private int deadLettered;
    private long firstSentNanos;

    AnswerWatcher(Map<String, Object> clientConfigs, String answerTopic, String deadLetterTopic, PrintStream out) {
        this.answerTopic = answerTopic;
        this.out = out;
        answers.configure(clientConfigs, false);
        deadLetters.configure(clientConfigs, false);
        Map<String, Object> props = new HashMap<>(clientConfigs);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        // Assigned, not subscribed: no group, no rebalance wait, every partition from the start.
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(answerTopic, deadLetterTopic)) {
            for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        thread = new Thread(this::loop, "sandbox-answers");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Counts {@code n} more events sent. */
    synchronized void sent(int n) {
        if (sent == 0) {
            firstSentNanos = System.nanoTime();
        }
        sent += n;
        notifyAll();
    }

    synchronized Progress progress() {
        double seconds = sent == 0 ? 0 : (System.nanoTime() - firstSentNanos) / 1e9;
        return new Progress(sent, answered, deadLettered, seconds > 0 ? answered / seconds : 0);
    }

    /**
     * Waits until every event sent has come back; false on timeout.
     */
    synchronized boolean awaitSettled(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!progress().settled()) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !running) {
                return progress().settled();
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    private void loop() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    if (r.topic().equals(answerTopic)) {
                        onAnswer(answers.deserializer().deserialize(r.topic(), r.headers(), r.value()));
                    } else {
                        onDeadLetter(deadLetters.deserializer().deserialize(r.topic(), r.headers(), r.value()));
                    }
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop.
        } catch (RuntimeException e) {
            out.println("sandbox: reading answers failed: " + e);
        } finally {
            synchronized (this) {
                running = false;
                notifyAll();
            }
        }
    }

    private void onAnswer(Answer a) {
        StageTimings t = a.getTimings();
        String image = a.getAttributes().getOrDefault(SampleProducer.IMAGE_ATTRIBUTE, "?");
        // Printed before waiters wake, so a "done" message never precedes the last answer.
        synchronized (this) {
            answered++;
            out.printf("answer  %s  %-22s \"%s\"%n", a.getEventId(), image, clip(a.getText()));
            out.printf("        tokens: prompt %d (image %d), generated %d (%s)  timings: queued %d ms, preprocess %d ms, "
                            + "encode %d ms, decode %d ms%n",
                    a.getPromptTokens(), a.getImageTokens(), a.getGeneratedTokens(), a.getFinishReason(),
                    t.getQueuedMs(), t.getPreprocessMs(), t.getEncodeMs(), t.getDecodeMs());
            out.println(progress().line());
            notifyAll();
        }
    }

    private void onDeadLetter(DeadLetter d) {
        synchronized (this) {
            deadLettered++;
            out.printf("DEAD    %s  %s from %s-%d@%d: %s%n", d.getEventId(), d.getReason(), d.getSourceTopic(),
                    d.getSourcePartition(), d.getSourceOffset(), d.getMessage());
            out.println(progress().line());
            notifyAll();
        }
    }

    private static String clip(String text) {
        // Random weights produce arbitrary bytes: keep the terminal safe from control characters.
        String oneLine = text.replaceAll("\\s+", " ").replaceAll("[\\p{Cntrl}\\x{FFFD}]", "?").strip();
        return oneLine.length() <= MAX_TEXT ? oneLine : oneLine.substring(0, MAX_TEXT) + "...";
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close();
        answers.close();
        deadLetters.close();
    }
}
