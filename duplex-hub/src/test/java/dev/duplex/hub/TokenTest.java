package dev.duplex.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import dev.duplex.hub.auth.TokenVerifier;
import dev.duplex.hub.protocol.ClientInfo;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.protocol.ServerMessage;
import java.security.KeyPair;
import java.util.Date;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Connection and subscription tokens: HS256, RS256 and ES256 accepted; expired, forged, unsigned
 * and missing tokens refused with the right code; expiry while connected, refresh, and
 * subscription tokens for a {@code subscribe: token} namespace.
 */
class TokenTest extends HubTestBase {
    private static KeyPair rsa;
    private static KeyPair ec;
    private static KeyPair otherRsa;

    @BeforeAll
    static void keys() throws Exception {
        rsa = Jwt.rsa();
        otherRsa = Jwt.rsa();
        ec = Jwt.ec();
    }

    private HubConfig.Builder config() {
        return HubConfig.builder()
                .anonymous(false)
                .tokens(TokenVerifier.builder()
                        .hmacSecret(Jwt.SECRET)
                        .publicKey(rsa.getPublic())
                        .publicKey(ec.getPublic())
                        .build())
                .namespace("private", NamespaceConfig.builder().subscribe(Access.TOKEN).build());
    }

    @Test
    void hs256Rs256AndEs256TokensAreAccepted() throws Exception {
        start(config().build());
        long exp = System.currentTimeMillis() + 60_000;
        Map<String, Object> info = Map.of("name", "Ann");
        String hs = Jwt.hs256(Jwt.SECRET, new JWTClaimsSet.Builder().subject("ann").expirationTime(new Date(exp)).claim("info", info).build());
        String rs = Jwt.rs256(rsa, new JWTClaimsSet.Builder().subject("bob").expirationTime(new Date(exp)).build());
        String es = Jwt.es256(ec, new JWTClaimsSet.Builder().subject("cid").expirationTime(new Date(exp)).build());

        TestHubClient ann = connect(hs);
        TestHubClient bob = connect(rs);
        TestHubClient cid = connect(es);
        assertThat(ann.connected.expires()).isEqualTo(exp / 1000 * 1000); // JWT exp has whole seconds
        assertThat(bob.connected.expires()).isEqualTo(exp / 1000 * 1000);
        assertThat(cid.connected.expires()).isEqualTo(exp / 1000 * 1000);

        ann.subscribe("room");
        bob.subscribe("room");
        cid.subscribe("room");
        long id = ann.nextId();
        ann.send(new Command.Presence(id, "room"));
        ServerMessage.PresenceResult presence = (ServerMessage.PresenceResult) ann.reply(id);
        assertThat(presence.clients()).extracting(ClientInfo::user).containsExactlyInAnyOrder("ann", "bob", "cid");
        assertThat(presence.clients()).filteredOn(c -> c.user().equals("ann")).singleElement()
                .satisfies(c -> assertThat(c.info().path("name").asText()).isEqualTo("Ann"));
    }

    @Test
    void badTokensAreRefusedWithTheRightCode() throws Exception {
        start(config().build());
        JWTClaimsSet claims = Jwt.claims("eve", 60_000L).build();
        // expired well past the verifier's clock-skew allowance
        assertRefused(Jwt.hs256(Jwt.SECRET, Jwt.claims("eve", -60_000L).build()), 3004);
        assertRefused(Jwt.hs256("another-secret-that-is-long-enough-for-hs256", claims), 3500);
        assertRefused(Jwt.rs256(otherRsa, claims), 3500);
        assertRefused(new PlainJWT(claims).serialize(), 3500);
        // alg none dressed up as a JWS, with a signature part
        String none = Base64URL.encode("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "."
                + Base64URL.encode(claims.toString()) + "." + Base64URL.encode("sig");
        assertRefused(none, 3500);
        // a signed token with a tampered payload
        String good = Jwt.hs256("eve", 60_000L);
        String[] parts = good.split("\\.");
        String forged = parts[0] + "." + Base64URL.encode(Jwt.claims("admin", 60_000L).build().toString()) + "." + parts[2];
        assertRefused(forged, 3500);
        assertRefused("not-a-jwt", 3500);
        // anonymous connections are off
        assertRefused(null, 3500);
        assertThat(Scrape.value(hub(), "duplex_disconnects_total{code=\"3500\"}")).isEqualTo(7);
        assertThat(Scrape.value(hub(), "duplex_disconnects_total{code=\"3004\"}")).isEqualTo(1);
    }

    @Test
    void tokenExpiryDisconnectsUnlessRefreshed() throws Exception {
        start(config().build());
        String shortLived = Jwt.hs256("ann", 1_500L);
        TestHubClient expiring = connect(shortLived);
        TestHubClient refreshing = connect(Jwt.hs256("ann", 1_500L));

        long id = refreshing.nextId();
        long newExpiry = System.currentTimeMillis() + 60_000;
        refreshing.send(new Command.Refresh(id, Jwt.hs256(Jwt.SECRET,
                new JWTClaimsSet.Builder().subject("ann").expirationTime(new Date(newExpiry)).build())));
        ServerMessage reply = refreshing.reply(id);
        assertThat(reply).isInstanceOf(ServerMessage.Refreshed.class);
        assertThat(((ServerMessage.Refreshed) reply).expires()).isEqualTo(newExpiry / 1000 * 1000);

        // A refresh for another user is refused, and changes nothing.
        ServerMessage.Error other = refreshing.error(new Command.Refresh(refreshing.nextId(), Jwt.hs256("bob", 60_000L)));
        assertThat(other.code()).isEqualTo(101);
        ServerMessage.Error garbage = refreshing.error(new Command.Refresh(refreshing.nextId(), "garbage"));
        assertThat(garbage.code()).isEqualTo(101);

        ServerMessage.Disconnect expired = expiring.expect(ServerMessage.Disconnect.class);
        assertThat(expired.code()).isEqualTo(3004);
        assertThat(expired.reconnect()).isTrue();
        assertThat(expiring.awaitClose()).isEqualTo(3004);

        // The hub checks expiry about once a second: give it one more round past the first expiry.
        Thread.sleep(1_100);
        refreshing.roundTrip();
        assertThat(refreshing.isOpen()).isTrue();
        assertThat(refreshing.received()).noneMatch(m -> m instanceof ServerMessage.Disconnect);
    }

    @Test
    void subscriptionTokensGrantTheirChannelOnly() throws Exception {
        start(config().build());
        TestHubClient ann = connect(Jwt.hs256("ann", 60_000L));
        String forA = Jwt.hs256(Jwt.SECRET, Jwt.claims("ann", 60_000L).claim("channel", "private:a").build());

        long ok = ann.nextId();
        ann.send(new Command.Subscribe(ok, "private:a", forA, null));
        assertThat(ann.reply(ok)).isInstanceOf(ServerMessage.Subscribed.class);

        assertThat(ann.error(new Command.Subscribe(ann.nextId(), "private:b", forA, null)).code()).isEqualTo(103);
        assertThat(ann.error(new Command.Subscribe(ann.nextId(), "private:c", null, null)).code()).isEqualTo(103);
        String bobsToken = Jwt.hs256(Jwt.SECRET, Jwt.claims("bob", 60_000L).claim("channel", "private:d").build());
        assertThat(ann.error(new Command.Subscribe(ann.nextId(), "private:d", bobsToken, null)).code()).isEqualTo(103);
        String forged = Jwt.hs256("another-secret-that-is-long-enough-for-hs256",
                Jwt.claims("ann", 60_000L).claim("channel", "private:e").build());
        assertThat(ann.error(new Command.Subscribe(ann.nextId(), "private:e", forged, null)).code()).isEqualTo(103);
        ann.roundTrip();
    }

    private void assertRefused(String token, int code) throws Exception {
        TestHubClient c = track(new TestHubClient(server.port(), HubCodec.JSON));
        c.send(new Command.Connect(1L, token, "test", "1", null));
        ServerMessage.Disconnect d = c.expect(ServerMessage.Disconnect.class);
        assertThat(d.code()).as("disconnect code for %s", token).isEqualTo(code);
        assertThat(c.awaitClose()).as("close code for %s", token).isEqualTo(code);
        assertThat(c.received()).noneMatch(m -> m instanceof ServerMessage.Connected);
    }
}
