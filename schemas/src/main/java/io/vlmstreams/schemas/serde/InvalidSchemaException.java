package io.vlmstreams.schemas.serde;

/** HTTP 422: the schema (or version, or compatibility level) in the request is not valid. */
public class InvalidSchemaException extends SchemaRegistryException {

    public InvalidSchemaException(int errorCode, String registryMessage) {
        super(422, errorCode, registryMessage);
    }

    public InvalidSchemaException(int errorCode, String registryMessage, Throwable cause) {
        super(422, errorCode, registryMessage, cause);
    }
}
