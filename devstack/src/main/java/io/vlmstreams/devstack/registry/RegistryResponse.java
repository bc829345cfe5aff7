package io.vlmstreams.devstack.registry;

/** A status and a JSON body text, as the REST handler answers. */
record RegistryResponse(int status, String json) {
}
