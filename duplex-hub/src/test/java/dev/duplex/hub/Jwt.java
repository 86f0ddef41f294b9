package dev.duplex.hub;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;
import java.util.Map;

/** Signs test tokens with nimbus-jose-jwt. */
final class Jwt {
    static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";

    private Jwt() {
    }

    static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    static KeyPair ec() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    /** Claims for {@code user} expiring {@code expiresInMillis} from now (null: no exp). */
    static JWTClaimsSet.Builder claims(String user, Long expiresInMillis) {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().subject(user);
        if (expiresInMillis != null) {
            b.expirationTime(new Date(System.currentTimeMillis() + expiresInMillis));
        }
        return b;
    }

    static String hs256(String user, Long expiresInMillis) {
        return hs256(SECRET, claims(user, expiresInMillis).build());
    }

    static String hs256(String user, Long expiresInMillis, Map<String, Object> info) {
        return hs256(SECRET, claims(user, expiresInMillis).claim("info", info).build());
    }

    static String hs256(String secret, JWTClaimsSet claims) {
        try {
            return sign(JWSAlgorithm.HS256, new MACSigner(secret.getBytes(StandardCharsets.UTF_8)), claims);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static String rs256(KeyPair keys, JWTClaimsSet claims) {
        return sign(JWSAlgorithm.RS256, new RSASSASigner(keys.getPrivate()), claims);
    }

    static String es256(KeyPair keys, JWTClaimsSet claims) {
        try {
            return sign(JWSAlgorithm.ES256, new ECDSASigner((ECPrivateKey) keys.getPrivate()), claims);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sign(JWSAlgorithm alg, JWSSigner signer, JWTClaimsSet claims) {
        SignedJWT jwt = new SignedJWT(new JWSHeader(alg), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }
}
