package io.vlmstreams.inference.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * This machine's CPU as kernels see it: architecture, core count, model name and instruction-set
 * flags ({@code /proc/cpuinfo} on Linux). ONNX Runtime picks its kernels by these, so results that
 * depend on kernels (batch invariance) hold for one identity only.
 */
final class CpuIdentity {

    private CpuIdentity() {
    }

    static String describe() {
        StringBuilder sb = new StringBuilder(System.getProperty("os.arch")).append(' ')
                .append(Runtime.getRuntime().availableProcessors()).append(" cores");
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.isReadable(cpuinfo)) {
            try {
                List<String> lines = Files.readAllLines(cpuinfo);
                lines.stream().filter(l -> l.startsWith("model name")).findFirst().ifPresent(l -> sb.append("; ").append(value(l)));
                lines.stream().filter(l -> l.startsWith("flags")).findFirst().ifPresent(l -> sb.append("; ").append(value(l)));
            } catch (IOException | RuntimeException e) {
                sb.append("; cpuinfo unreadable");
            }
        }
        return sb.toString();
    }

    private static String value(String line) {
        int colon = line.indexOf(':');
        return colon < 0 ? line : line.substring(colon + 1).trim();
    }
}
