package io.vlmstreams.inference.constrain;

/**
 * A schema uses something constrained answers cannot enforce; the message names the keyword (and
 * where it is), so the pipeline fails at start instead of silently ignoring it.
 */
public final class UnsupportedSchemaException extends IllegalArgumentException {

    private final String keyword;

    public UnsupportedSchemaException(String keyword, String where, String why) {
        super("JSON schema keyword '" + keyword + "' at " + where + " is not supported" + (why == null ? "" : ": " + why));
        this.keyword = keyword;
    }

    /** The keyword refused. */
    public String keyword() {
        return keyword;
    }
}
