package dev.duplex.hub.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Regression (security review 2026-12, finding 9): no audience or issuer could be required, a
 * subscription token was accepted as a connection token, and tokens without {@code exp} were
 * accepted by default.
 */
class TokenVerifierTest {
    private static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";
    private static final long NOW = 1_800_000_000_000L;

    private static String sign(JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    private static JWTClaimsSet.Builder claims(String user) {
        return new JWTClaimsSet.Builder().subject(user).expirationTime(new Date(NOW + 60_000));
    }

    private static TokenVerifier.Builder verifier() {
        return TokenVerifier.builder().hmacSecret(SECRET);
    }

    @Test
    void tokensWithoutExpiryAreRefusedByDefault() throws Exception {
        String forever = sign(new JWTClaimsSet.Builder().subject("ann").build());
        assertThatThrownBy(() -> verifier().build().verifyConnection(forever, NOW))
                .isInstanceOf(TokenException.class).hasMessageContaining("no expiry");
        VerifiedToken allowed = verifier().requireExpiry(false).build().verifyConnection(forever, NOW);
        assertThat(allowed.user()).isEqualTo("ann");
        assertThat(allowed.expiresAt()).as("no expiry to report").isNull();
    }

    @Test
    void aSubscriptionTokenIsNotAConnectionTokenAndTheOtherWayRound() throws Exception {
        TokenVerifier tokens = verifier().build();
        String subscription = sign(claims("ann").claim("channel", "private:x").build());
        assertThatThrownBy(() -> tokens.verifyConnection(subscription, NOW))
                .isInstanceOf(TokenException.class).hasMessageContaining("subscription token");
        String connection = sign(claims("ann").build());
        assertThatThrownBy(() -> tokens.verifySubscription(connection, "private:x", "ann", NOW))
                .isInstanceOf(TokenException.class).hasMessageContaining("connection token");
        tokens.verifySubscription(subscription, "private:x", "ann", NOW);
        assertThat(tokens.verifyConnection(connection, NOW).user()).isEqualTo("ann");
    }

    @Test
    void audienceAndIssuerWhenConfigured() throws Exception {
        TokenVerifier tokens = verifier().audience("duplex").issuer("https://auth.example").build();
        String good = sign(claims("ann").audience(List.of("other", "duplex")).issuer("https://auth.example").build());
        assertThat(tokens.verifyConnection(good, NOW).user()).isEqualTo("ann");

        String noAudience = sign(claims("ann").issuer("https://auth.example").build());
        assertThatThrownBy(() -> tokens.verifyConnection(noAudience, NOW)).hasMessageContaining("'duplex'");
        String otherAudience = sign(claims("ann").audience("billing").issuer("https://auth.example").build());
        assertThatThrownBy(() -> tokens.verifyConnection(otherAudience, NOW)).hasMessageContaining("audience");
        String otherIssuer = sign(claims("ann").audience("duplex").issuer("https://evil.example").build());
        assertThatThrownBy(() -> tokens.verifyConnection(otherIssuer, NOW)).hasMessageContaining("issuer");
        String subscription = sign(claims("ann").audience("duplex").claim("channel", "c").build());
        assertThatThrownBy(() -> tokens.verifySubscription(subscription, "c", "ann", NOW)).hasMessageContaining("issuer");

        // Without either setting, neither claim is looked at.
        assertThat(verifier().build().verifyConnection(otherIssuer, NOW).user()).isEqualTo("ann");
    }
}
