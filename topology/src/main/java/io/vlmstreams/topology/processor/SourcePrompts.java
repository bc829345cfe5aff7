package io.vlmstreams.topology.processor;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pipeline's per-source prompts: the global store fed by its {@code source.prompts.topic}
 * (key {@code source_id}, value {@link SourcePrompt} JSON, a tombstone removes the entry), read by
 * the request builder of every task. The global thread fills the store before the stream threads
 * start and keeps it current while they run, so a source is re-tasked without a restart; a frame
 * takes the entry current when its request is built (on arrival for an inline image, when its batch
 * starts for one by reference, and again on restore after a crash).
 */
public final class SourcePrompts {

    private static final Logger log = LoggerFactory.getLogger(SourcePrompts.class);

    /** No per-source prompts. */
    public static final SourcePrompts NONE = new SourcePrompts(null);

    private final String storeName;
    private volatile ReadOnlyKeyValueStore<String, byte[]> store;

    /** @param storeName the global store's name; null for {@link #NONE} */
    public SourcePrompts(String storeName) {
        this.storeName = storeName;
    }

    public String storeName() {
        return storeName;
    }

    /** The entry for {@code sourceId}, or null when there is none (or it cannot be read). */
    public SourcePrompt lookup(CharSequence sourceId) {
        ReadOnlyKeyValueStore<String, byte[]> s = store;
        if (s == null || sourceId == null) {
            return null;
        }
        byte[] value = s.get(sourceId.toString());
        if (value == null) {
            return null;
        }
        try {
            return SourcePrompt.parse(value);
        } catch (IllegalArgumentException e) {
            // the updater refuses bad values; this only guards a store written by an older version
            return null;
        }
    }

    /** The global store's processor: keeps valid entries, skips (and logs) invalid ones. */
    public Processor<byte[], byte[], Void, Void> updater() {
        return new Processor<>() {
            private KeyValueStore<String, byte[]> target;

            @Override
            public void init(ProcessorContext<Void, Void> context) {
                target = context.getStateStore(storeName);
                store = target;
            }

            @Override
            public void process(Record<byte[], byte[]> record) {
                if (record.key() == null) {
                    log.warn("Source prompt without a key (source_id) in store {}: skipped", storeName);
                    return;
                }
                String source = new String(record.key(), StandardCharsets.UTF_8);
                if (record.value() == null) {
                    target.delete(source);
                    return;
                }
                try {
                    SourcePrompt.parse(record.value());
                    target.put(source, record.value());
                } catch (IllegalArgumentException e) {
                    log.warn("Source prompt for {} in store {} skipped: {}", source, storeName, e.getMessage());
                }
            }
        };
    }
}
