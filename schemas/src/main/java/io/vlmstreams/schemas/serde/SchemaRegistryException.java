package io.vlmstreams.schemas.serde;

/**
 * A schema registry call that failed. Carries the HTTP status (0 when no response arrived), the
 * registry's {@code error_code} (advisory only: registries disagree on it, so callers should key on
 * the status or on the subclass) and the registry's message.
 */
public class SchemaRegistryException extends RuntimeException {

    /** Status used when no HTTP response arrived (connection refused, timeout). */
    public static final int NO_RESPONSE = 0;

    /** Confluent error codes, as the in-memory registries report them. */
    public static final int SUBJECT_NOT_FOUND = 40401;
    public static final int VERSION_NOT_FOUND = 40402;
    public static final int SCHEMA_NOT_FOUND = 40403;
    public static final int SUBJECT_COMPATIBILITY_NOT_CONFIGURED = 40408;
    public static final int INCOMPATIBLE_SCHEMA = 409;
    public static final int INVALID_SCHEMA = 42201;
    public static final int INVALID_VERSION = 42202;
    public static final int INVALID_COMPATIBILITY_LEVEL = 42203;
    public static final int UNAUTHORIZED = 401;

    private final int httpStatus;
    private final int errorCode;
    private final String registryMessage;

    public SchemaRegistryException(int httpStatus, int errorCode, String registryMessage) {
        this(httpStatus, errorCode, registryMessage, null);
    }

    public SchemaRegistryException(int httpStatus, int errorCode, String registryMessage, Throwable cause) {
        super(describe(httpStatus, errorCode, registryMessage), cause);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
        this.registryMessage = registryMessage;
    }

    /** The exception type matching an HTTP status: 404, 409 and 422 get their own subclass. */
    public static SchemaRegistryException forStatus(int httpStatus, int errorCode, String registryMessage) {
        return switch (httpStatus) {
            case 404 -> new SchemaNotFoundException(errorCode, registryMessage);
            case 409 -> new IncompatibleSchemaException(errorCode, registryMessage);
            case 422 -> new InvalidSchemaException(errorCode, registryMessage);
            default -> new SchemaRegistryException(httpStatus, errorCode, registryMessage);
        };
    }

    /** HTTP status of the registry's answer, or {@link #NO_RESPONSE}. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The registry's {@code error_code}, 0 when it sent none. Advisory. */
    public int errorCode() {
        return errorCode;
    }

    /** The registry's own message, without the status prefix. */
    public String registryMessage() {
        return registryMessage;
    }

    private static String describe(int httpStatus, int errorCode, String message) {
        String status = httpStatus == NO_RESPONSE ? "no response" : "HTTP " + httpStatus;
        return "Schema registry: " + status + (errorCode != 0 ? " (error_code " + errorCode + ")" : "") + ": " + message;
    }
}
