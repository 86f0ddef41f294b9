package dev.duplex.server.tls;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Loads a PEM certificate chain and a PEM private key, as issued by Let's Encrypt, openssl and most
 * CAs. Keys may be PKCS#8 ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) or SEC1
 * ({@code EC PRIVATE KEY}); encrypted keys are refused with the command that decrypts them.
 * BouncyCastle parses the PEM and ASN.1: the JDK reads none of these formats itself.
 */
public final class PemFiles {
    private PemFiles() {}

    /**
     * @param chainFile the server's certificate first, then its intermediates
     * @param keyFile the private key of the first certificate
     * @throws TlsSetupException for a missing or unreadable file, one without the expected PEM
     *     block, an encrypted key, or a key that does not match the certificate
     */
    public static ServerCredentials load(Path chainFile, Path keyFile) {
        List<X509Certificate> chain = readCertificates(chainFile);
        PrivateKey key = readPrivateKey(keyFile);
        KeyMatch.require(key, chain.get(0), keyFile.toString(), chainFile.toString());
        return new ServerCredentials(key, chain);
    }

    static List<X509Certificate> readCertificates(Path file) {
        List<X509Certificate> chain = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        for (Object object : readAll(file, "certificate")) {
            if (object instanceof X509CertificateHolder holder) {
                try {
                    chain.add(converter.getCertificate(holder));
                } catch (CertificateException e) {
                    throw new TlsSetupException("A certificate in " + file + " is damaged: " + e.getMessage(), e);
                }
            }
        }
        if (chain.isEmpty()) {
            throw new TlsSetupException(file + " holds no PEM certificate (a block starting with "
                    + "-----BEGIN CERTIFICATE-----); --tls-cert takes the certificate chain, --tls-key the private key");
        }
        return chain;
    }

    static PrivateKey readPrivateKey(Path file) {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        for (Object object : readAll(file, "private key")) {
            try {
                if (object instanceof PrivateKeyInfo info) { // PKCS#8: -----BEGIN PRIVATE KEY-----
                    return converter.getPrivateKey(info);
                }
                if (object instanceof PEMKeyPair pair) { // PKCS#1 RSA or SEC1 EC
                    // The private part only: SEC1's public key field is optional, and often absent.
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
            } catch (IOException e) {
                throw new TlsSetupException("The private key in " + file + " cannot be read: " + e.getMessage(), e);
            }
            if (object instanceof PKCS8EncryptedPrivateKeyInfo || object instanceof PEMEncryptedKeyPair) {
                throw new TlsSetupException("The private key in " + file + " is encrypted; decrypt it first, e.g. "
                        + "openssl pkey -in " + file + " -out key-plain.pem (and keep that file private), or use "
                        + "--tls-keystore with a password");
            }
        }
        throw new TlsSetupException(file + " holds no private key (expected a PEM block -----BEGIN PRIVATE KEY-----, "
                + "-----BEGIN RSA PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY-----)");
    }

    private static List<Object> readAll(Path file, String what) {
        List<Object> objects = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            Object object;
            while ((object = parser.readObject()) != null) {
                objects.add(object);
            }
        } catch (NoSuchFileException e) {
            throw new TlsSetupException("The TLS " + what + " file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new TlsSetupException("Cannot read the TLS " + what + " file " + file + ": " + e.getMessage(), e);
        }
        return objects;
    }
}
