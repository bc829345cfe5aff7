package io.vlmstreams.inference.engine;

/**
 * Why one request could not be answered. The {@link Kind} maps one to one onto a dead-letter reason;
 * a failing request never fails its batch-mates.
 */
public class InferenceException extends RuntimeException {

    /** Failure classes a caller can route on. */
    public enum Kind { IMAGE_UNDECODABLE, IMAGE_TOO_LARGE, IMAGE_UNSUPPORTED, INVALID_REQUEST, INFERENCE_FAILED }

    private final Kind kind;

    public InferenceException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public InferenceException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
