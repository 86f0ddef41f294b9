package dev.duplex.cluster;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.duplex.hub.auth.TokenVerifier;
import java.nio.charset.StandardCharsets;
import java.util.Date;

/** HS256 connection tokens shared by every node of a test cluster, as a deployment's nodes share their key. */
final class ClusterTokens {
    private static final String SECRET = "duplex-cluster-tests-secret-0123456789abcdef";

    private ClusterTokens() {
    }

    static TokenVerifier verifier() {
        return TokenVerifier.builder().hmacSecret(SECRET).build();
    }

    /** A connection token of {@code user}, valid for ten minutes (longer than any test here). */
    static String token(String user) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
                    .subject(user)
                    .expirationTime(new Date(System.currentTimeMillis() + 600_000))
                    .build());
            jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
