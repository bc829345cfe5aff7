package io.vlmstreams.topology.ops.ui;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the view keeps of an input event until its answer or dead letter commits: where it came
 * from, what was asked, and the image (inline bytes, or the URI of an image by reference).
 *
 * @param image     inline image bytes; null for an image by reference
 * @param mediaType the event's media type, or one sniffed from the bytes
 * @param uri       the reference's URI; null for an inline image
 * @param record    the event as JSON, image bytes left out
 */
record HeldEvent(String eventId, String pipeline, String source, String prompt, long eventTime, byte[] image,
                 String mediaType, String uri, JsonNode record) {

    long imageBytes() {
        return image == null ? 0 : image.length;
    }
}
