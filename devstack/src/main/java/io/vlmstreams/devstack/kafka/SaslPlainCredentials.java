package io.vlmstreams.devstack.kafka;

import java.util.Objects;

/**
 * A user name and password for SASL/PLAIN, with the JAAS line Kafka clients and brokers expect.
 */
public record SaslPlainCredentials(String username, String password) {

    public SaslPlainCredentials {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        if (username.isEmpty()) {
            throw new IllegalArgumentException("username must not be empty");
        }
    }

    /** The client-side {@code sasl.jaas.config} value logging in as this user. */
    public String clientJaasConfig() {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                + quote(username) + "\" password=\"" + quote(password) + "\";";
    }

    /**
     * The broker-side JAAS line: the broker logs in as this user for its own connections and
     * accepts exactly this user ({@code user_NAME="PASSWORD"}).
     */
    String brokerJaasConfig() {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                + quote(username) + "\" password=\"" + quote(password) + "\" user_" + username
                + "=\"" + quote(password) + "\";";
    }

    @Override
    public String toString() {
        // Keeps the password out of test reports and logs.
        return "SaslPlainCredentials[username=" + username + ", password=***]";
    }

    private static String quote(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
