package io.vlmstreams.inference.onnx;

/** Which ONNX Runtime execution provider to ask for; {@link #AUTO} takes CUDA when it works, else CPU. */
public enum ExecutionProvider {
    AUTO, CPU, CUDA, TENSORRT;

    /** Parses {@code cpu}, {@code cuda}, {@code tensorrt} or {@code auto}, ignoring case. */
    public static ExecutionProvider parse(String text) {
        return valueOf(text.trim().toUpperCase(java.util.Locale.ROOT));
    }
}
