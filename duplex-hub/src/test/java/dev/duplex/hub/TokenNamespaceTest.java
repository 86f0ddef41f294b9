package dev.duplex.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.duplex.hub.auth.TokenVerifier;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Regression (security review 2026-12, finding 4): with {@code subscribe: token}, an anonymous
 * connection was refused subscribe (103) but read the channel's history and presence and published
 * into it. Presence, history and publish now follow the subscribe rule unless configured otherwise.
 */
class TokenNamespaceTest extends HubTestBase {

    @BeforeEach
    void startHub() {
        start(HubConfig.builder()
                .tokens(TokenVerifier.builder().hmacSecret(Jwt.SECRET).build())
                .namespace("private", NamespaceConfig.builder().subscribe(Access.TOKEN).build())
                .namespace("notices", NamespaceConfig.builder().subscribe(Access.TOKEN).history(Access.ANYONE).build())
                .build());
    }

    private static String subscriptionToken(String user, String channel) {
        return Jwt.hs256(Jwt.SECRET, Jwt.claims(user, 60_000L).claim("channel", channel).build());
    }

    @Test
    void withoutASubscriptionTokenNothingOfTheChannelIsReachable() throws Exception {
        hub().publish("private:x", TextNode.valueOf("secret"), null).get(5, TimeUnit.SECONDS);
        TestHubClient ann = connect(Jwt.hs256("ann", 60_000L));
        ann.send(new Command.Subscribe(ann.nextId(), "private:x", subscriptionToken("ann", "private:x"), null));
        ann.expect(ServerMessage.Subscribed.class);

        TestHubClient anon = connect();
        TestHubClient eve = connect(Jwt.hs256("eve", 60_000L));
        for (TestHubClient c : new TestHubClient[] {anon, eve}) {
            assertThat(c.error(new Command.Subscribe(c.nextId(), "private:x", null, null)).code()).isEqualTo(103);
            assertThat(c.error(new Command.History(c.nextId(), "private:x", null, null)).code()).as("history").isEqualTo(103);
            assertThat(c.error(new Command.Presence(c.nextId(), "private:x")).code()).as("presence").isEqualTo(103);
            ServerMessage.Error publish = c.error(new Command.Publish(c.nextId(), "private:x", TextNode.valueOf("spam"), null, null));
            assertThat(publish.code()).as("publish").isEqualTo(103);
            assertThat(publish.message()).contains("subscription");
        }
        // A connection token is not a subscription token, and eve's token is for another channel.
        assertThat(eve.error(new Command.History(eve.nextId(), "private:x", null, null, Jwt.hs256("eve", 60_000L))).code())
                .isEqualTo(103);
        assertThat(eve.error(new Command.History(eve.nextId(), "private:x", null, null, subscriptionToken("eve", "private:y")))
                .code()).isEqualTo(103);
        assertThat(hub().history("private:x", null, 10).get(5, TimeUnit.SECONDS).offset()).as("no spam published").isEqualTo(1);
        ann.roundTrip();
        assertThat(ann.received()).noneMatch(m -> m instanceof Publication);
    }

    @Test
    void aSubscriberOrTheHolderOfASubscriptionTokenMayPublishAndRead() throws Exception {
        TestHubClient ann = connect(Jwt.hs256("ann", 60_000L));
        ann.send(new Command.Subscribe(ann.nextId(), "private:x", subscriptionToken("ann", "private:x"), null));
        ann.expect(ServerMessage.Subscribed.class);
        long id = ann.nextId();
        ann.send(new Command.Publish(id, "private:x", TextNode.valueOf("hello"), null, null));
        assertThat(ann.reply(id)).isInstanceOf(ServerMessage.Ack.class);
        assertThat(ann.expect(Publication.class).data().asText()).isEqualTo("hello");
        long presence = ann.nextId();
        ann.send(new Command.Presence(presence, "private:x"));
        assertThat(((ServerMessage.PresenceResult) ann.reply(presence)).clients()).hasSize(1);

        // bob is not subscribed, but holds a subscription token: he may read, not publish.
        TestHubClient bob = connect(Jwt.hs256("bob", 60_000L));
        long history = bob.nextId();
        bob.send(new Command.History(history, "private:x", null, null, subscriptionToken("bob", "private:x")));
        ServerMessage.HistoryResult result = (ServerMessage.HistoryResult) bob.reply(history);
        assertThat(result.publications()).extracting(p -> p.data().asText()).containsExactly("hello");
        assertThat(bob.error(new Command.Publish(bob.nextId(), "private:x", TextNode.valueOf("x"), null, null)).code())
                .isEqualTo(103);
    }

    @Test
    void historyMayBeOpenedExplicitly() throws Exception {
        hub().publish("notices:today", TextNode.valueOf("open day"), null).get(5, TimeUnit.SECONDS);
        TestHubClient anon = connect();
        long id = anon.nextId();
        anon.send(new Command.History(id, "notices:today", null, null));
        assertThat(anon.reply(id)).isInstanceOf(ServerMessage.HistoryResult.class);
        assertThat(anon.error(new Command.Publish(anon.nextId(), "notices:today", TextNode.valueOf("x"), null, null)).code())
                .as("publish still follows subscribe").isEqualTo(103);
    }
}
