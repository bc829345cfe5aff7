package io.vlmstreams.topology.fetch;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * Fetches images given by reference under a {@link FetchPolicy}: every hop (the first URI and each
 * redirect, up to the limit) is checked and connected to by its checked address; the whole fetch
 * has one deadline and one size limit. Refusals throw a forbidden {@link FetchException}; network
 * and HTTP errors a failed one.
 */
public final class ImageFetcher {

    private final FetchPolicy policy;
    private final HttpGet http;

    public ImageFetcher(FetchPolicy policy) {
        this.policy = policy;
        this.http = new HttpGet(policy.config().maxBytes(), (int) policy.config().connectTimeout().toMillis());
    }

    /** The bytes at {@code uri}. */
    public byte[] fetch(String uri) throws FetchException {
        URI current;
        try {
            current = new URI(uri).normalize();
        } catch (URISyntaxException e) {
            throw FetchException.forbidden("not a valid URI: " + e.getMessage());
        }
        long deadline = System.nanoTime() + policy.config().timeout().toNanos();
        for (int hop = 0; ; hop++) {
            InetAddress address = policy.check(current);
            HttpGet.Response response;
            try {
                response = http.get(current, address, deadline);
            } catch (IOException e) {
                throw FetchException.failed("fetching " + current + " failed: " + e, e);
            }
            int status = response.status();
            if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
                if (hop >= policy.config().maxRedirects()) {
                    throw FetchException.failed("more than " + policy.config().maxRedirects() + " redirects from " + uri, null);
                }
                String location = response.headers().get("location");
                if (location == null) {
                    throw FetchException.failed("redirect " + status + " without Location from " + current, null);
                }
                try {
                    current = current.resolve(new URI(location)).normalize();
                } catch (URISyntaxException e) {
                    throw FetchException.forbidden("redirect to an invalid URI: " + location);
                }
                continue;
            }
            if (status / 100 != 2) {
                throw FetchException.failed("HTTP " + status + " from " + current, null);
            }
            return response.body();
        }
    }
}
