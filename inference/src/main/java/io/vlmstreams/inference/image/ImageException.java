package io.vlmstreams.inference.image;

/**
 * The one exception image decoding and preprocessing throw for bad input; {@link #kind()} says
 * why, so callers can route the request (e.g. to a dead-letter topic) without parsing messages.
 */
public final class ImageException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why an image was refused. */
    public enum Kind {
        /** Not an image, an empty payload, or a corrupt or truncated file. */
        UNDECODABLE,
        /** Larger than {@link ImageLimits} allow (bytes, pixels or one side). */
        TOO_LARGE,
        /** A recognised but unsupported format or pixel layout. */
        UNSUPPORTED
    }

    private final Kind kind;

    public ImageException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public ImageException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    @Override
    public String getMessage() {
        return kind + ": " + super.getMessage();
    }
}
