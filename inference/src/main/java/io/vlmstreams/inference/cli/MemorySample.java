package io.vlmstreams.inference.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's memory at one moment: Java heap in use after a full collection (so garbage not
 * yet collected does not read as growth) and the resident set size from {@code /proc/self/status}
 * (which also counts ONNX Runtime's native allocations, where unclosed tensors would show).
 *
 * @param rssBytes -1 where {@code /proc} is not available
 */
public record MemorySample(long heapUsedBytes, long rssBytes) {

    private static final Path STATUS = Path.of("/proc/self/status");

    /** Collects garbage, then samples. */
    public static MemorySample take() {
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        return new MemorySample(heap, rss());
    }

    /** VmRSS in bytes, or -1. */
    static long rss() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or an unexpected format: RSS is unknown
        }
        return -1;
    }
}
