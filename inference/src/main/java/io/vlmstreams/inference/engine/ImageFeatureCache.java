package io.vlmstreams.inference.engine;

import io.vlmstreams.inference.image.ProcessedImage;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Vision-encoder features of images seen before, least recently used first out, bounded in bytes.
 * The key is the SHA-256 of the image bytes, the preprocessing settings and the model id, so a
 * repost of the same file under the same settings skips decoding, preprocessing and the encoder and
 * gets the features it got the first time (the encoder treats images independently, so they are the
 * same whatever batch made them). Thread-safe. A capacity of 0 turns it off.
 */
public final class ImageFeatureCache {

    /** What a hit gives: the image's layout (pixels dropped) and its features. */
    public record Entry(ProcessedImage layoutOnly, float[] features) {
        long bytes() {
            return (long) features.length * Float.BYTES + layoutOnly.spatialShapes().length * 8L
                    + layoutOnly.pixelAttentionMask().length * 8L + 256;
        }
    }

    private final long capacity;
    private final String modelId;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private long bytes;

    public ImageFeatureCache(long capacityBytes, String modelId) {
        if (capacityBytes < 0) {
            throw new IllegalArgumentException("image cache bytes must be >= 0 (0: off), got " + capacityBytes);
        }
        this.capacity = capacityBytes;
        this.modelId = modelId;
    }

    public boolean enabled() {
        return capacity > 0;
    }

    /** The key of {@code image} preprocessed under {@code options}; null when the cache is off. */
    public String key(byte[] image, ImageOptions options) {
        if (!enabled()) {
            return null;
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(image);
            sha.update((byte) 0);
            sha.update((options + "|" + modelId).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** The entry under {@code key}, counted as a hit or a miss; null for none (or a null key). */
    public synchronized Entry get(String key) {
        if (key == null) {
            return null;
        }
        Entry e = entries.get(key);
        (e == null ? misses : hits).incrementAndGet();
        return e;
    }

    /** Keeps {@code features} of {@code image} under {@code key}, evicting the least recently used past the capacity. */
    public synchronized void put(String key, ProcessedImage image, float[] features) {
        if (key == null || entries.containsKey(key)) {
            return;
        }
        Entry e = new Entry(new ProcessedImage(image.tiles(), image.maxPatches(), new float[0], image.pixelAttentionMask(),
                image.spatialShapes(), image.layout()), features);
        if (e.bytes() > capacity) {
            return;
        }
        entries.put(key, e);
        bytes += e.bytes();
        for (Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator(); bytes > capacity && it.hasNext(); ) {
            bytes -= it.next().getValue().bytes();
            it.remove();
        }
    }

    public long hits() {
        return hits.get();
    }

    public long misses() {
        return misses.get();
    }

    public synchronized long bytes() {
        return bytes;
    }

    public synchronized int size() {
        return entries.size();
    }
}
