package io.vlmstreams.inference.onnx;

/** Which ONNX Runtime execution provider to ask for; {@link #AUTO} takes CUDA when it works, else CPU. */
public enum ExecutionProvider {
    AUTO, CPU, CUDA, TENSORRT;

    /** Parses {@code cpu}, {@code cuda}, {@code tensorrt} or {@code auto}, ignoring case. */
    public static ExecutionProvider parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            // valueOf's "No enum constant io.vlmstreams..." names a Java class, not what to type.
            throw new IllegalArgumentException("unknown execution provider '" + text.trim() + "': use auto, cpu, cuda or tensorrt");
        }
    }
}
