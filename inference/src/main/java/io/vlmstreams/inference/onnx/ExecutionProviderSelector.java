package io.vlmstreams.inference.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession.SessionOptions;

import java.util.EnumSet;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Decides which execution provider runs. A GPU provider is used only when this ONNX Runtime build
 * lists it and its library actually loads (the CUDA provider needs CUDA 12 and cuDNN 9 on the
 * library path); otherwise CPU runs and the choice carries the reason.
 */
public final class ExecutionProviderSelector {

    static final String GPU_REQUIREMENTS = "the CUDA provider needs an NVIDIA GPU with CUDA 12 and cuDNN 9 libraries on the library path";

    private final Supplier<EnumSet<OrtProvider>> available;

    public ExecutionProviderSelector() {
        this(OrtEnvironment::getAvailableProviders);
    }

    /** With a given list of compiled-in providers, e.g. to exercise the fallback on a machine that has one. */
    public ExecutionProviderSelector(Supplier<EnumSet<OrtProvider>> available) {
        this.available = Objects.requireNonNull(available, "available");
    }

    /** Probes the providers the configuration asks for, in preference order, and returns the first that loads. */
    public ProviderChoice select(RuntimeConfig config) {
        ExecutionProvider asked = config.provider();
        int device = config.deviceId();
        if (asked == ExecutionProvider.CPU) {
            return new ProviderChoice(ExecutionProvider.CPU, 0, asked, "CPU requested");
        }
        EnumSet<OrtProvider> compiled = available.get();
        String tensorrtProblem = null;
        if (asked == ExecutionProvider.TENSORRT) {
            tensorrtProblem = probe(ExecutionProvider.TENSORRT, device, compiled);
            if (tensorrtProblem == null) {
                return new ProviderChoice(ExecutionProvider.TENSORRT, device, asked, "TensorRT requested and available");
            }
        }
        String cudaProblem = probe(ExecutionProvider.CUDA, device, compiled);
        if (cudaProblem == null) {
            String why = switch (asked) {
                case AUTO -> "AUTO and CUDA is available";
                case TENSORRT -> "TensorRT requested but unavailable (" + tensorrtProblem + "); CUDA is available";
                default -> "CUDA requested and available";
            };
            return new ProviderChoice(ExecutionProvider.CUDA, device, asked, why);
        }
        String why = (asked == ExecutionProvider.AUTO ? "AUTO found no usable GPU provider: " : asked + " requested but unavailable: ")
                + (tensorrtProblem != null ? "TensorRT: " + tensorrtProblem + "; " : "")
                + "CUDA: " + cudaProblem + " (" + GPU_REQUIREMENTS + ")";
        return new ProviderChoice(ExecutionProvider.CPU, 0, asked, why);
    }

    /** Registers the chosen provider on one session's options (CPU needs nothing: it is always the last resort). */
    public static void apply(ProviderChoice choice, SessionOptions options) throws OrtException {
        switch (choice.provider()) {
            case TENSORRT -> {
                options.addTensorrt(choice.deviceId());
                // nodes TensorRT cannot take run on CUDA rather than CPU
                options.addCUDA(choice.deviceId());
            }
            case CUDA -> options.addCUDA(choice.deviceId());
            default -> { }
        }
    }

    /** Null when the provider loads, else why not. */
    private static String probe(ExecutionProvider provider, int device, EnumSet<OrtProvider> compiled) {
        OrtProvider ort = provider == ExecutionProvider.TENSORRT ? OrtProvider.TENSOR_RT : OrtProvider.CUDA;
        if (!compiled.contains(ort)) {
            return "this ONNX Runtime build has no " + ort.getName() + " (available: " + compiled + ")";
        }
        String driver = nvidiaDriverProblem();
        if (driver != null) {
            return driver;
        }
        try (SessionOptions probe = new SessionOptions()) {
            if (provider == ExecutionProvider.TENSORRT) {
                probe.addTensorrt(device);
            } else {
                probe.addCUDA(device);
            }
            return null;
        } catch (OrtException | UnsatisfiedLinkError | IllegalArgumentException e) {
            return firstLine(e.getMessage());
        }
    }

    /**
     * On Linux, a machine without the NVIDIA kernel driver cannot run CUDA; saying so up front spares
     * ONNX Runtime's native error dump from the failed library load.
     */
    private static String nvidiaDriverProblem() {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            return null;
        }
        boolean driver = java.nio.file.Files.exists(java.nio.file.Path.of("/proc/driver/nvidia"))
                || java.nio.file.Files.exists(java.nio.file.Path.of("/dev/nvidiactl"));
        return driver ? null : "no NVIDIA driver on this machine (neither /proc/driver/nvidia nor /dev/nvidiactl exists)";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "failed to load";
        }
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).strip();
    }
}
