package io.vlmstreams.topology.fetch;

/** An image could not be fetched: refused by policy ({@code forbidden}) or failed on the network. */
public final class FetchException extends Exception {

    private final boolean forbidden;

    private FetchException(boolean forbidden, String message, Throwable cause) {
        super(message, cause);
        this.forbidden = forbidden;
    }

    /** The fetch policy refused the URI or an address it resolved to. */
    public static FetchException forbidden(String message) {
        return new FetchException(true, message, null);
    }

    /** The fetch was allowed but did not succeed (network error, HTTP error, limit exceeded). */
    public static FetchException failed(String message, Throwable cause) {
        return new FetchException(false, message, cause);
    }

    /** True for policy refusals (dead letter FETCH_FORBIDDEN), false for failures (FETCH_FAILED). */
    public boolean forbidden() {
        return forbidden;
    }
}
