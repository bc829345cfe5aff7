package io.vlmstreams.inference.onnx;

/**
 * The execution provider that actually runs, and why (requested, or the reason for a fallback).
 *
 * @param provider  CPU, CUDA or TENSORRT (never AUTO)
 * @param deviceId  GPU ordinal, meaningless for CPU
 * @param requested what the configuration asked for
 * @param reason    one sentence for the log and for diagnostics
 */
public record ProviderChoice(ExecutionProvider provider, int deviceId, ExecutionProvider requested, String reason) {

    /** {@code CPU}, {@code CUDA:0}, {@code TENSORRT:1}. */
    public String label() {
        return provider == ExecutionProvider.CPU ? "CPU" : provider.name() + ":" + deviceId;
    }

    /** Whether a GPU provider was asked for (or AUTO) and CPU runs instead. */
    public boolean fellBack() {
        return provider == ExecutionProvider.CPU && requested != ExecutionProvider.CPU;
    }
}
