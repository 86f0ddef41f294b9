package dev.duplex.server.tls;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A server's private key and its certificate chain (the server's own certificate first), from
 * whichever source, turned into the {@link SSLContext} the server runs with.
 */
public record ServerCredentials(PrivateKey key, List<X509Certificate> chain) {
    /** Only lives in memory, between the key store and the key manager. */
    private static final char[] IN_MEMORY_PASSWORD = "duplex".toCharArray();

    public ServerCredentials {
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("A certificate chain holds at least the server's certificate");
        }
        chain = List.copyOf(chain);
    }

    /** The server's own certificate. */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    /** A TLS context that presents this key and chain. */
    public SSLContext sslContext() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", key, IN_MEMORY_PASSWORD, chain.toArray(Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, IN_MEMORY_PASSWORD);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new TlsSetupException("Could not build a TLS context from the key and certificate: " + e.getMessage(), e);
        }
    }

    /** {@code AB:CD:…}, the SHA-256 fingerprint as browsers and {@code openssl x509 -fingerprint -sha256} show it. */
    public static String sha256Fingerprint(X509Certificate certificate) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return HexFormat.ofDelimiter(":").formatHex(digest).toUpperCase(Locale.ROOT);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    /** Same, for the server's own certificate. */
    public String sha256Fingerprint() {
        return sha256Fingerprint(certificate());
    }
}
