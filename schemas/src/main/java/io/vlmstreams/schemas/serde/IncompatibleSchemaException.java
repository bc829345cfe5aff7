package io.vlmstreams.schemas.serde;

/** HTTP 409: the schema breaks the subject's compatibility level. */
public class IncompatibleSchemaException extends SchemaRegistryException {

    public IncompatibleSchemaException(int errorCode, String registryMessage) {
        super(409, errorCode, registryMessage);
    }
}
