package io.vlmstreams.schemas.serde;

/** HTTP 404: the subject, version or schema id does not exist. */
public class SchemaNotFoundException extends SchemaRegistryException {

    public SchemaNotFoundException(int errorCode, String registryMessage) {
        super(404, errorCode, registryMessage);
    }
}
