package io.vlmstreams.devstack.kafka;

import java.util.LinkedHashMap;
import java.util.Map;

import io.vlmstreams.devstack.tls.TestCertificates;

/**
 * TLS on the broker's client listener: its key store and the CA it trusts, from {@code certificates};
 * with {@code clientAuth} every client (and the broker itself, on the inter-broker hop) must present a
 * certificate signed by that CA.
 */
public record BrokerTls(TestCertificates certificates, boolean clientAuth) {

    /** The broker's {@code ssl.*} settings. */
    Map<String, String> brokerProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("ssl.keystore.type", "PKCS12");
        p.put("ssl.keystore.location", certificates.server().keystore().toString());
        p.put("ssl.keystore.password", certificates.password());
        p.put("ssl.key.password", certificates.password());
        p.put("ssl.truststore.type", "PKCS12");
        p.put("ssl.truststore.location", certificates.truststore().toString());
        p.put("ssl.truststore.password", certificates.password());
        p.put("ssl.client.auth", clientAuth ? "required" : "none");
        return p;
    }

    /** A client's {@code ssl.*} settings: the trust store, and the client key store when client auth is on. */
    public Map<String, String> clientProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("ssl.truststore.type", "PKCS12");
        p.put("ssl.truststore.location", certificates.truststore().toString());
        p.put("ssl.truststore.password", certificates.password());
        if (clientAuth) {
            p.put("ssl.keystore.type", "PKCS12");
            p.put("ssl.keystore.location", certificates.client().keystore().toString());
            p.put("ssl.keystore.password", certificates.password());
            p.put("ssl.key.password", certificates.password());
        }
        return p;
    }
}
