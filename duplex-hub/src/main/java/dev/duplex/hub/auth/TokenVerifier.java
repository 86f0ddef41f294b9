package dev.duplex.hub.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * Checks connection and subscription tokens: JWTs signed with HS256 (a shared secret), RS256 (an RSA
 * public key) or ES256 (a P-256 public key), with {@code exp} and {@code nbf} honoured and a small
 * clock-skew allowance. The algorithm must match a configured key: an {@code alg: none} token or an
 * HS256 token forged with a public key is refused. By default a token must expire ({@code exp});
 * with an audience or issuer configured, {@code aud} must name it and {@code iss} must equal it.
 *
 * <p>The two kinds are told apart by the {@code channel} claim: a subscription token names its
 * channel, a connection token has none. Neither is accepted as the other, so a subscription token
 * handed to a page cannot open a connection, and a connection token opens no private channel.
 * Thread-safe.
 */
public final class TokenVerifier {
    private static final long SKEW_MILLIS = 5_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The claim that makes a token a subscription token. */
    public static final String CHANNEL_CLAIM = "channel";

    private final List<Key> keys;
    private final boolean requireExpiry;
    private final String audience;
    private final String issuer;

    private TokenVerifier(Builder b) {
        this.keys = List.copyOf(b.keys);
        this.requireExpiry = b.requireExpiry;
        this.audience = b.audience;
        this.issuer = b.issuer;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Verifies a connection token at {@code nowMillis}. */
    public VerifiedToken verifyConnection(String token, long nowMillis) throws TokenException {
        JWTClaimsSet claims = verify(token, nowMillis);
        if (claims.getClaim(CHANNEL_CLAIM) != null) {
            throw new TokenException("This is a subscription token (it has a 'channel' claim); connect with a connection "
                    + "token and use this one in subscribe", false);
        }
        return new VerifiedToken(subject(claims), expiry(claims), info(claims));
    }

    /**
     * Verifies a subscription token: valid, for {@code channel} (claim {@code channel}) and for the
     * connection's user ({@code sub}).
     */
    public void verifySubscription(String token, String channel, String user, long nowMillis) throws TokenException {
        JWTClaimsSet claims = verify(token, nowMillis);
        Object claimed = claims.getClaim(CHANNEL_CLAIM);
        if (claimed == null) {
            throw new TokenException("This is a connection token (it has no 'channel' claim); a subscription token names "
                    + "its channel", false);
        }
        if (!channel.equals(claimed)) {
            throw new TokenException("The subscription token is for channel '" + claimed + "', not '" + channel + "'", false);
        }
        if (!subject(claims).equals(user)) {
            throw new TokenException("The subscription token was issued to another user", false);
        }
    }

    private JWTClaimsSet verify(String token, long nowMillis) throws TokenException {
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException e) {
            throw new TokenException("The token is not a signed JWT (three base64url parts)", false);
        }
        JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
        boolean verified = false;
        boolean algorithmKnown = false;
        for (Key key : keys) {
            if (key.algorithm.equals(alg)) {
                algorithmKnown = true;
                try {
                    if (jwt.verify(key.verifier)) {
                        verified = true;
                        break;
                    }
                } catch (JOSEException e) {
                    // a key of the right type that cannot check this signature: try the next one
                }
            }
        }
        if (!algorithmKnown) {
            throw new TokenException("Tokens signed with " + alg + " are not accepted here", false);
        }
        if (!verified) {
            throw new TokenException("The token's signature is invalid", false);
        }
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new TokenException("The token's claims are not a JSON object", false);
        }
        Date exp = claims.getExpirationTime();
        if (exp == null && requireExpiry) {
            throw new TokenException("The token has no expiry ('exp'), which this hub requires", false);
        }
        if (exp != null && exp.getTime() + SKEW_MILLIS <= nowMillis) {
            throw new TokenException("The token expired at " + exp.toInstant(), true);
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && nbf.getTime() - SKEW_MILLIS > nowMillis) {
            throw new TokenException("The token is not valid before " + nbf.toInstant(), false);
        }
        if (claims.getSubject() == null || claims.getSubject().isEmpty()) {
            throw new TokenException("The token has no subject ('sub', the user id)", false);
        }
        if (audience != null && (claims.getAudience() == null || !claims.getAudience().contains(audience))) {
            throw new TokenException("The token is not for this hub: its audience ('aud') must include '" + audience + "'", false);
        }
        if (issuer != null && !issuer.equals(claims.getIssuer())) {
            throw new TokenException("The token's issuer ('iss') must be '" + issuer + "'", false);
        }
        return claims;
    }

    private static String subject(JWTClaimsSet claims) {
        return claims.getSubject();
    }

    private static Long expiry(JWTClaimsSet claims) {
        Date exp = claims.getExpirationTime();
        return exp == null ? null : exp.getTime();
    }

    private static JsonNode info(JWTClaimsSet claims) throws TokenException {
        Object info = claims.getClaim("info");
        if (info == null) {
            return null;
        }
        if (!(info instanceof Map)) {
            throw new TokenException("The token's 'info' claim must be an object", false);
        }
        return JSON.valueToTree(info);
    }

    private record Key(JWSAlgorithm algorithm, JWSVerifier verifier) {
    }

    /** Collects the keys; at least one is needed. */
    public static final class Builder {
        private final List<Key> keys = new ArrayList<>();
        private boolean requireExpiry = true;
        private String audience;
        private String issuer;

        /** HS256 with a shared secret of at least 32 bytes. */
        public Builder hmacSecret(String secret) {
            byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
            if (bytes.length < 32) {
                throw new IllegalArgumentException("The HMAC secret must be at least 32 bytes (256 bits) for HS256; it has " + bytes.length);
            }
            try {
                keys.add(new Key(JWSAlgorithm.HS256, new MACVerifier(bytes)));
            } catch (JOSEException e) {
                throw new IllegalArgumentException("Unusable HMAC secret: " + e.getMessage(), e);
            }
            return this;
        }

        /** RS256 or ES256 with a public key in PEM ("-----BEGIN PUBLIC KEY-----", X.509 SubjectPublicKeyInfo). */
        public Builder publicKeyPem(String pem) {
            return publicKey(parsePem(pem));
        }

        public Builder publicKey(PublicKey key) {
            try {
                if (key instanceof RSAPublicKey rsa) {
                    if (rsa.getModulus().bitLength() < 2048) {
                        throw new IllegalArgumentException("RSA keys must have at least 2048 bits; this one has " + rsa.getModulus().bitLength());
                    }
                    keys.add(new Key(JWSAlgorithm.RS256, new RSASSAVerifier(rsa)));
                } else if (key instanceof ECPublicKey ec) {
                    keys.add(new Key(JWSAlgorithm.ES256, new ECDSAVerifier(ec)));
                } else {
                    throw new IllegalArgumentException("Only RSA (RS256) and EC P-256 (ES256) public keys are supported, not " + key.getAlgorithm());
                }
            } catch (JOSEException e) {
                throw new IllegalArgumentException("Unusable public key: " + e.getMessage(), e);
            }
            return this;
        }

        /**
         * Refuse tokens without {@code exp} (the default): a token that never expires stays valid for
         * as long as its key, however it leaked.
         */
        public Builder requireExpiry(boolean value) {
            this.requireExpiry = value;
            return this;
        }

        /** Accept only tokens whose {@code aud} includes {@code value}; null (the default) does not check. */
        public Builder audience(String value) {
            this.audience = blankToNull(value);
            return this;
        }

        /** Accept only tokens whose {@code iss} is {@code value}; null (the default) does not check. */
        public Builder issuer(String value) {
            this.issuer = blankToNull(value);
            return this;
        }

        private static String blankToNull(String value) {
            return value == null || value.isBlank() ? null : value;
        }

        public TokenVerifier build() {
            if (keys.isEmpty()) {
                throw new IllegalStateException("No token keys: configure an HMAC secret or a public key");
            }
            return new TokenVerifier(this);
        }

        private static PublicKey parsePem(String pem) {
            if (!pem.contains("-----BEGIN PUBLIC KEY-----")) {
                throw new IllegalArgumentException("Expected a PEM public key starting with -----BEGIN PUBLIC KEY-----");
            }
            String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            byte[] der;
            try {
                der = Base64.getDecoder().decode(base64);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("The PEM public key is not valid base64", e);
            }
            for (String algorithm : List.of("RSA", "EC")) {
                try {
                    return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
                } catch (GeneralSecurityException e) {
                    // try the other algorithm
                }
            }
            throw new IllegalArgumentException("The PEM public key is neither an RSA nor an EC key");
        }
    }
}
