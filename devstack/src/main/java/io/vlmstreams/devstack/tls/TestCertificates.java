package io.vlmstreams.devstack.tls;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway PKI for TLS tests, made in process in a few milliseconds: a CA, a server certificate
 * for {@code localhost} / {@code 127.0.0.1} and a client certificate, each in a PKCS12 key store
 * with its chain, and a PKCS12 trust store holding the CA. Valid for a day; one password for all.
 */
public final class TestCertificates {

    /** A PKCS12 key store holding one key and its chain up to the CA. */
    public record KeyMaterial(Path keystore, String password) {
    }

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final Path truststore;
    private final String password;
    private final KeyMaterial server;
    private final KeyMaterial client;

    private TestCertificates(Path truststore, String password, KeyMaterial server, KeyMaterial client) {
        this.truststore = truststore;
        this.password = password;
        this.server = server;
        this.client = client;
    }

    /** Writes {@code ca-truststore.p12}, {@code server.p12} and {@code client.p12} (client CN {@code clientCn}) into {@code dir}. */
    public static TestCertificates create(Path dir, String clientCn) {
        String password = "test-" + Long.toHexString(SERIAL.incrementAndGet());
        try {
            Files.createDirectories(dir);
            KeyPair caKeys = keyPair();
            X500Name caName = new X500Name("CN=vlm-streams test CA");
            X509Certificate ca = sign(caName, caName, caKeys.getPublic(), caKeys, true, null);
            X509Certificate serverCert = null;
            KeyPair serverKeys = keyPair();
            GeneralNames sans = new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")});
            serverCert = sign(caName, new X500Name("CN=localhost"), serverKeys.getPublic(), caKeys, false, sans);
            KeyPair clientKeys = keyPair();
            X509Certificate clientCert = sign(caName, new X500Name("CN=" + clientCn), clientKeys.getPublic(), caKeys, false, null);

            Path trust = dir.resolve("ca-truststore.p12");
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            ts.setCertificateEntry("ca", ca);
            store(ts, trust, password);
            KeyMaterial server = keyStore(dir.resolve("server.p12"), password, serverKeys, serverCert, ca);
            KeyMaterial client = keyStore(dir.resolve("client.p12"), password, clientKeys, clientCert, ca);
            return new TestCertificates(trust, password, server, client);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write test certificates to " + dir, e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make test certificates", e);
        }
    }

    /** The trust store holding the CA (PKCS12). */
    public Path truststore() {
        return truststore;
    }

    /** The one password of every store and key. */
    public String password() {
        return password;
    }

    /** The server's key store: {@code CN=localhost}, SANs {@code localhost} and {@code 127.0.0.1}. */
    public KeyMaterial server() {
        return server;
    }

    /** The client's key store, for client-certificate authentication. */
    public KeyMaterial client() {
        return client;
    }

    /** A TLS context presenting {@code identity} and trusting the CA. */
    public SSLContext context(KeyMaterial identity) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (var in = Files.newInputStream(identity.keystore())) {
                ks.load(in, password.toCharArray());
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password.toCharArray());
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), trustManagers().getTrustManagers(), null);
            return ctx;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private TrustManagerFactory trustManagers() throws IOException, GeneralSecurityException {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(truststore)) {
            ts.load(in, password.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        return tmf;
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static X509Certificate sign(X500Name issuer, X500Name subject, java.security.PublicKey key, KeyPair issuerKeys,
                                        boolean ca, GeneralNames sans)
            throws IOException, GeneralSecurityException, OperatorCreationException {
        Instant now = Instant.now();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject, key);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (ca) {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
            b.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
        }
        if (sans != null) {
            b.addExtension(Extension.subjectAlternativeName, false, sans);
        }
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
    }

    private static KeyMaterial keyStore(Path file, String password, KeyPair keys, X509Certificate cert, X509Certificate ca)
            throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("key", keys.getPrivate(), password.toCharArray(), new Certificate[] {cert, ca});
        store(ks, file, password);
        return new KeyMaterial(file, password);
    }

    private static void store(KeyStore ks, Path file, String password) throws IOException, GeneralSecurityException {
        try (OutputStream out = Files.newOutputStream(file)) {
            ks.store(out, password.toCharArray());
        }
    }
}
