package io.vlmstreams.schemas.serde;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

import org.apache.kafka.common.config.ConfigException;

/**
 * The registry client's TLS settings, under Confluent's names: a trust store for a registry whose
 * certificate the JVM's default trust does not cover, and a key store when the registry wants client
 * certificates. Neither set: the JVM's defaults.
 */
public final class RegistryTls {

    public static final String TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
    public static final String KEYSTORE_LOCATION = "schema.registry.ssl.keystore.location";
    public static final String KEYSTORE_PASSWORD = "schema.registry.ssl.keystore.password";
    public static final String KEYSTORE_TYPE = "schema.registry.ssl.keystore.type";
    public static final String KEY_PASSWORD = "schema.registry.ssl.key.password";

    /** Every key read here. */
    public static final List<String> NAMES = List.of(TRUSTSTORE_LOCATION, TRUSTSTORE_PASSWORD, TRUSTSTORE_TYPE,
            KEYSTORE_LOCATION, KEYSTORE_PASSWORD, KEYSTORE_TYPE, KEY_PASSWORD);

    private RegistryTls() {
    }

    /** The TLS context {@code configs} ask for, or empty for the JVM's default. */
    public static Optional<SSLContext> from(Map<String, ?> configs) {
        String trust = Configs.string(configs, TRUSTSTORE_LOCATION);
        String keys = Configs.string(configs, KEYSTORE_LOCATION);
        if (trust == null && keys == null) {
            return Optional.empty();
        }
        try {
            TrustManager[] trustManagers = null;
            if (trust != null) {
                KeyStore ts = load(TRUSTSTORE_LOCATION, trust, Configs.string(configs, TRUSTSTORE_TYPE),
                        Configs.string(configs, TRUSTSTORE_PASSWORD));
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(ts);
                trustManagers = tmf.getTrustManagers();
            }
            KeyManager[] keyManagers = null;
            if (keys != null) {
                String storePassword = Configs.string(configs, KEYSTORE_PASSWORD);
                KeyStore ks = load(KEYSTORE_LOCATION, keys, Configs.string(configs, KEYSTORE_TYPE), storePassword);
                String keyPassword = Optional.ofNullable(Configs.string(configs, KEY_PASSWORD)).orElse(storePassword);
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, keyPassword == null ? new char[0] : keyPassword.toCharArray());
                keyManagers = kmf.getKeyManagers();
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(keyManagers, trustManagers, null);
            return Optional.of(ctx);
        } catch (GeneralSecurityException e) {
            throw new ConfigException("schema.registry.ssl.*: " + e.getMessage());
        }
    }

    private static KeyStore load(String key, String location, String type, String password) throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(type == null ? "PKCS12" : type);
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            store.load(in, password == null ? null : password.toCharArray());
        } catch (IOException e) {
            // the password is a secret: name the file, never the value
            throw new ConfigException(key, location, "cannot read the store: " + e.getMessage());
        }
        return store;
    }
}
