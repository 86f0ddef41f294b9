package dev.duplex.client;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.duplex.hub.auth.TokenVerifier;
import java.time.Duration;
import java.util.Date;

/** HS256 connection tokens for tests against a hub configured with {@link #verifier()}. */
final class Tokens {
    static final String SECRET = "duplex-client-tests-secret-0123456789abcdef";

    private Tokens() {
    }

    static TokenVerifier verifier() {
        return TokenVerifier.builder().hmacSecret(SECRET).build();
    }

    /** A token for {@code user} that expires {@code ttl} from now (JWT expiry has whole seconds). */
    static String token(String user, Duration ttl) {
        return sign(SECRET, user, ttl);
    }

    /** A subscription token of {@code user} for {@code channel}. */
    static String subscriptionToken(String user, String channel) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
                    .subject(user)
                    .claim("channel", channel)
                    .expirationTime(new Date(System.currentTimeMillis() + 300_000))
                    .build());
            jwt.sign(new MACSigner(SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A well-formed token signed with another key: the hub refuses it (3500). */
    static String forgedToken(String user) {
        return sign("not-the-hubs-secret-0123456789abcdef-xyz", user, Duration.ofMinutes(5));
    }

    private static String sign(String secret, String user, Duration ttl) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
                    .subject(user)
                    .expirationTime(new Date(System.currentTimeMillis() + ttl.toMillis()))
                    .build());
            jwt.sign(new MACSigner(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
