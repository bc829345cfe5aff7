package io.vlmstreams.schemas.serde;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/** HTTP basic auth credentials. {@link #toString()} never shows the password. */
public record BasicCredentials(String username, String password) {

    public BasicCredentials {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
    }

    /**
     * Parses {@code user:password} (Confluent's {@code basic.auth.user.info}); the password may
     * itself contain colons.
     */
    public static BasicCredentials parse(String userInfo) {
        int colon = userInfo == null ? -1 : userInfo.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("Basic auth user info must look like user:password");
        }
        return new BasicCredentials(userInfo.substring(0, colon), userInfo.substring(colon + 1));
    }

    /** The {@code Authorization} header value. */
    public String authorizationHeader() {
        String token = username + ":" + password;
        return "Basic " + Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8));
    }

    /** True if {@code header} is the {@code Authorization} header for these credentials. */
    public boolean matches(String header) {
        return header != null && java.security.MessageDigest.isEqual(
                authorizationHeader().getBytes(StandardCharsets.UTF_8), header.trim().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "BasicCredentials[username=" + username + ", password=****]";
    }
}
