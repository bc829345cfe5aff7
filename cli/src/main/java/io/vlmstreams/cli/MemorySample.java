package io.vlmstreams.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's memory at one moment: Java heap in use after a full collection (so garbage not
 * yet collected does not read as growth) and the resident set size from {@code /proc/self/status}
 * (which also counts ONNX Runtime's native allocations, where unclosed tensors would show), with
 * its peak so far (a retained peak and a transient one read differently).
 *
 * @param rssBytes     VmRSS, -1 where {@code /proc} is not available
 * @param peakRssBytes VmHWM, the highest RSS since the process started, -1 where not available
 */
public record MemorySample(long heapUsedBytes, long rssBytes, long peakRssBytes) {

    private static final Path STATUS = Path.of("/proc/self/status");

    /** Collects garbage, then samples. */
    public static MemorySample take() {
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        return new MemorySample(heap, status("VmRSS:"), status("VmHWM:"));
    }

    /** A kB field of {@code /proc/self/status} in bytes, or -1. */
    static long status(String field) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(field)) {
                    String[] parts = line.substring(field.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or an unexpected format: RSS is unknown
        }
        return -1;
    }
}
