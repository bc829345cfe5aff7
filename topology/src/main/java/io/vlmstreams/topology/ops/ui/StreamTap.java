package io.vlmstreams.topology.ops.ui;

import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What {@link TapClientSupplier} hands on: input records as the application's own consumer reads
 * them, and output records once their transaction has committed. Called on stream threads, so an
 * implementation must return at once (queue and drop, never block).
 */
public interface StreamTap {

    /** The main consumer returned {@code record} from an input topic. */
    void consumed(ConsumerRecord<byte[], byte[]> record);

    /** {@code records} (answers, dead letters) are committed: their transaction committed, or they were acknowledged. */
    void committed(List<ProducerRecord<byte[], byte[]>> records);
}
