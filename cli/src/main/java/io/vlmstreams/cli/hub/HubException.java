package io.vlmstreams.cli.hub;

/** A download that cannot go on, with a message meant for the user as one line (what is wrong, what to do). */
public final class HubException extends RuntimeException {

    private final boolean unreachable;

    public HubException(String message) {
        this(message, null, false);
    }

    public HubException(String message, Throwable cause) {
        this(message, cause, false);
    }

    private HubException(String message, Throwable cause, boolean unreachable) {
        super(message, cause);
        this.unreachable = unreachable;
    }

    /** The endpoint could not be reached at all (offline, DNS, refused): a cached snapshot may stand in. */
    public static HubException unreachable(String message, Throwable cause) {
        return new HubException(message, cause, true);
    }

    public boolean isUnreachable() {
        return unreachable;
    }
}
