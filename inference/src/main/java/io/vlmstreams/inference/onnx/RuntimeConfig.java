package io.vlmstreams.inference.onnx;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;

import java.util.Objects;

/**
 * How ONNX Runtime sessions are created.
 *
 * @param provider          execution provider to ask for
 * @param deviceId          GPU ordinal for CUDA / TensorRT
 * @param intraOpThreads    threads inside one operator; 0 lets ONNX Runtime choose
 * @param interOpThreads    threads across operators; 0 lets ONNX Runtime choose
 * @param optimizationLevel graph optimizations applied when a session is created
 * @param spinWait          whether ORT's idle pool threads spin (its default) or sleep between
 *                          operators; spinning wins on a machine of its own, but where the cores are
 *                          shared (Kafka's threads, preprocessing, other processes) spinning threads
 *                          steal the cores the working ones need
 */
public record RuntimeConfig(ExecutionProvider provider, int deviceId, int intraOpThreads, int interOpThreads,
                            OptLevel optimizationLevel, boolean spinWait) {

    /** With ORT's default spin-waiting. */
    public RuntimeConfig(ExecutionProvider provider, int deviceId, int intraOpThreads, int interOpThreads,
                         OptLevel optimizationLevel) {
        this(provider, deviceId, intraOpThreads, interOpThreads, optimizationLevel, true);
    }

    public RuntimeConfig {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(optimizationLevel, "optimizationLevel");
        if (deviceId < 0 || intraOpThreads < 0 || interOpThreads < 0) {
            throw new IllegalArgumentException("deviceId and thread counts must be >= 0");
        }
    }

    /** CPU, ONNX Runtime's own thread counts, all graph optimizations. */
    public static RuntimeConfig cpu() {
        return new RuntimeConfig(ExecutionProvider.CPU, 0, 0, 0, OptLevel.ALL_OPT);
    }

    /** The given provider on device 0 with default threads and all optimizations. */
    public static RuntimeConfig of(ExecutionProvider provider) {
        return new RuntimeConfig(provider, 0, 0, 0, OptLevel.ALL_OPT);
    }

    public RuntimeConfig withProvider(ExecutionProvider p) {
        return new RuntimeConfig(p, deviceId, intraOpThreads, interOpThreads, optimizationLevel, spinWait);
    }

    public RuntimeConfig withIntraOpThreads(int threads) {
        return new RuntimeConfig(provider, deviceId, threads, interOpThreads, optimizationLevel, spinWait);
    }

    public RuntimeConfig withInterOpThreads(int threads) {
        return new RuntimeConfig(provider, deviceId, intraOpThreads, threads, optimizationLevel, spinWait);
    }

    public RuntimeConfig withSpinWait(boolean spin) {
        return new RuntimeConfig(provider, deviceId, intraOpThreads, interOpThreads, optimizationLevel, spin);
    }
}
