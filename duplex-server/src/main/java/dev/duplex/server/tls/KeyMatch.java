package dev.duplex.server.tls;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;

/**
 * Whether a private key belongs to a certificate: it signs a random challenge that the
 * certificate's public key must verify. Works for every key type a TLS server uses, where comparing
 * key fields would need code per algorithm. Without this check a mismatched pair starts fine and
 * fails every handshake with a vague error.
 */
final class KeyMatch {
    private KeyMatch() {}

    /** @throws TlsSetupException naming both sources when the key does not match */
    static void require(PrivateKey key, X509Certificate certificate, String keySource, String certificateSource) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            default -> null;
        };
        if (algorithm == null) {
            return; // an unusual key type: the handshake will tell
        }
        if (!key.getAlgorithm().equals(certificate.getPublicKey().getAlgorithm())
                && !(algorithm.equals("Ed25519") && certificate.getPublicKey().getAlgorithm().startsWith("Ed"))) {
            throw mismatch(keySource, certificateSource, "it is a " + key.getAlgorithm() + " key, the certificate's is "
                    + certificate.getPublicKey().getAlgorithm());
        }
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(challenge);
            if (!verifier.verify(signature)) {
                throw mismatch(keySource, certificateSource, "its public key differs");
            }
        } catch (GeneralSecurityException e) {
            throw mismatch(keySource, certificateSource, e.getMessage());
        }
    }

    private static TlsSetupException mismatch(String keySource, String certificateSource, String detail) {
        return new TlsSetupException("The private key in " + keySource + " does not match the certificate in "
                + certificateSource + " (" + detail + "); pass the key that was generated together with this certificate");
    }
}
