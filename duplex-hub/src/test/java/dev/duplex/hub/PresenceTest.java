package dev.duplex.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.duplex.hub.auth.TokenVerifier;
import dev.duplex.hub.protocol.ClientInfo;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Join and leave pushes and the presence list, on a namespace with both on and one with both off. */
class PresenceTest extends HubTestBase {

    @BeforeEach
    void startHub() {
        start(HubConfig.builder()
                .tokens(TokenVerifier.builder().hmacSecret(Jwt.SECRET).build())
                .namespace("room", NamespaceConfig.defaults())
                .namespace("quiet", NamespaceConfig.builder().presence(false).joinLeave(false).build())
                .build());
    }

    @Test
    void joinAndLeaveGoToOthersAndPresenceListsEveryone() throws Exception {
        TestHubClient ann = connect(Jwt.hs256("ann", 60_000L, Map.of("name", "Ann")));
        TestHubClient bob = connect(Jwt.hs256("bob", 60_000L));
        TestHubClient anon = connect();
        String annId = ann.clientId();
        String bobId = bob.clientId();
        String anonId = anon.clientId();

        ann.subscribe("room:1");
        bob.subscribe("room:1");
        ServerMessage.Join bobJoined = ann.expect(ServerMessage.Join.class);
        assertThat(bobJoined.channel()).isEqualTo("room:1");
        assertThat(bobJoined.info().client()).isEqualTo(bobId);
        assertThat(bobJoined.info().user()).isEqualTo("bob");

        anon.subscribe("room:1");
        // Bob's next message is the third client's join, not a join of his own.
        ServerMessage next = bob.next();
        assertThat(next).isInstanceOf(ServerMessage.Join.class);
        assertThat(((ServerMessage.Join) next).info().client()).isEqualTo(anonId);
        assertThat(((ServerMessage.Join) next).info().user()).isEmpty();
        assertThat(ann.expect(ServerMessage.Join.class).info().client()).isEqualTo(anonId);

        long id = ann.nextId();
        ann.send(new Command.Presence(id, "room:1"));
        ServerMessage.PresenceResult presence = (ServerMessage.PresenceResult) ann.reply(id);
        assertThat(presence.channel()).isEqualTo("room:1");
        assertThat(presence.clients()).extracting(ClientInfo::client).containsExactlyInAnyOrder(annId, bobId, anonId);
        assertThat(presence.clients()).extracting(ClientInfo::user).containsExactlyInAnyOrder("ann", "bob", "");
        ClientInfo annInfo = presence.clients().stream().filter(c -> c.client().equals(annId)).findFirst().orElseThrow();
        assertThat(annInfo.info().path("name").asText()).isEqualTo("Ann");

        // An unsubscribe is a leave for the others; the leaver gets only its reply.
        long unsub = anon.nextId();
        anon.send(new Command.Unsubscribe(unsub, "room:1"));
        assertThat(anon.reply(unsub)).isInstanceOf(ServerMessage.Unsubscribed.class);
        assertThat(ann.expect(ServerMessage.Leave.class).info().client()).isEqualTo(anonId);
        assertThat(bob.next()).isInstanceOf(ServerMessage.Leave.class)
                .extracting(m -> ((ServerMessage.Leave) m).info().client()).isEqualTo(anonId);
        anon.roundTrip();
        assertThat(anon.received()).noneMatch(m -> m instanceof ServerMessage.Leave || m instanceof ServerMessage.Join);

        // A network drop is a leave too.
        bob.close();
        ServerMessage.Leave bobLeft = ann.expect(ServerMessage.Leave.class);
        assertThat(bobLeft.info().client()).isEqualTo(bobId);
        assertThat(bobLeft.info().user()).isEqualTo("bob");
        assertThat(presenceOf(ann, "room:1")).extracting(ClientInfo::client).containsExactly(annId);
    }

    @Test
    void presenceOffIsNotAvailableAndJoinLeaveOffSendsNothing() throws Exception {
        TestHubClient a = connect();
        TestHubClient b = connect();
        a.subscribe("quiet:1");
        b.subscribe("quiet:1");

        ServerMessage.Error error = a.error(new Command.Presence(a.nextId(), "quiet:1"));
        assertThat(error.code()).isEqualTo(108);

        b.close();
        // Once the hub has let b go, a leave for it (wrongly) would already be queued to a.
        assertThat(eventually(5_000, () -> Integer.valueOf(1).equals(hub().channels().get("quiet:1"))))
                .as("b left quiet:1").isTrue();
        // Publish after the drop and the join; a sees the publication and nothing before it.
        TestHubClient c = connect();
        c.subscribe("quiet:1");
        c.send(new Command.Publish(c.nextId(), "quiet:1", TextNode.valueOf("x"), null, null));
        c.expect(ServerMessage.Ack.class);
        a.roundTrip();
        List<ServerMessage> seen = a.received();
        assertThat(seen).anyMatch(m -> m instanceof Publication);
        assertThat(seen).noneMatch(m -> m instanceof ServerMessage.Join || m instanceof ServerMessage.Leave);
        assertThat(hub().presence("quiet:1").get()).isEmpty();
    }

    @Test
    void presenceListShrinksWhenEveryoneLeaves() throws Exception {
        TestHubClient a = connect();
        TestHubClient b = connect();
        a.subscribe("room:2");
        b.subscribe("room:2");
        assertThat(hub().presence("room:2").get()).hasSize(2);
        a.close();
        b.close();
        assertThat(eventually(5_000, () -> hub().presence("room:2").join().isEmpty())).isTrue();
        assertThat(eventually(5_000, () -> hub().channels().isEmpty())).isTrue();
        // The publication with nobody subscribed still lands in history.
        TestHubClient c = connect();
        c.send(new Command.Publish(c.nextId(), "room:2", TextNode.valueOf("y"), null, null));
        assertThat(c.expect(ServerMessage.Ack.class).offset()).isEqualTo(1);
        c.roundTrip();
        assertThat(c.received()).noneMatch(m -> m instanceof Publication);
    }

    private static List<ClientInfo> presenceOf(TestHubClient c, String channel) throws InterruptedException {
        long id = c.nextId();
        c.send(new Command.Presence(id, channel));
        return ((ServerMessage.PresenceResult) c.reply(id)).clients();
    }
}
