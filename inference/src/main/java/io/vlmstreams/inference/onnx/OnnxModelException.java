package io.vlmstreams.inference.onnx;

/** A graph failed to run or does not declare the interface this project drives. */
public class OnnxModelException extends RuntimeException {

    public OnnxModelException(String message) {
        super(message);
    }

    public OnnxModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
