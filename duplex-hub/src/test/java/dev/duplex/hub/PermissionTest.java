package dev.duplex.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.duplex.hub.auth.TokenVerifier;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.hub.protocol.StreamPosition;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Namespace access rules, unknown namespaces, and the per-connection and per-user limits. */
class PermissionTest extends HubTestBase {

    @BeforeEach
    void startHub() {
        start(HubConfig.builder()
                .tokens(TokenVerifier.builder().hmacSecret(Jwt.SECRET).build())
                .maxChannelsPerConnection(3)
                .maxConnectionsPerUser(2)
                .namespace("ro", NamespaceConfig.builder().publish(Access.NOBODY).build())
                .namespace("members", NamespaceConfig.builder()
                        .subscribe(Access.USER).publish(Access.USER).history(Access.USER).build())
                .build());
    }

    @Test
    void publishNobodyRefusesEveryClientButNotTheServer() throws Exception {
        TestHubClient anon = connect();
        TestHubClient ann = connect(Jwt.hs256("ann", 60_000L));
        anon.subscribe("ro:news");
        assertThat(anon.error(new Command.Publish(anon.nextId(), "ro:news", TextNode.valueOf("x"), null, null)).code()).isEqualTo(103);
        assertThat(ann.error(new Command.Publish(ann.nextId(), "ro:news", TextNode.valueOf("x"), null, null)).code()).isEqualTo(103);
        hub().publish("ro:news", TextNode.valueOf("from the server"), null).get(5, TimeUnit.SECONDS);
        Publication p = anon.expect(Publication.class);
        assertThat(p.offset()).isEqualTo(1); // the refused publishes took no offset
        assertThat(p.data().asText()).isEqualTo("from the server");
        assertThat(p.info()).isNull();
    }

    @Test
    void userOnlyNamespaceRefusesAnonymousConnections() throws Exception {
        TestHubClient anon = connect();
        assertThat(anon.error(new Command.Subscribe(anon.nextId(), "members:x", null, null)).code()).isEqualTo(103);
        assertThat(anon.error(new Command.Publish(anon.nextId(), "members:x", TextNode.valueOf("x"), null, null)).code()).isEqualTo(103);
        assertThat(anon.error(new Command.History(anon.nextId(), "members:x", null, null)).code()).isEqualTo(103);
        assertThat(anon.error(new Command.Presence(anon.nextId(), "members:x")).code()).isEqualTo(103);

        TestHubClient ann = connect(Jwt.hs256("ann", 60_000L));
        ann.subscribe("members:x");
        long id = ann.nextId();
        ann.send(new Command.Publish(id, "members:x", TextNode.valueOf("hi"), null, null));
        assertThat(ann.reply(id)).isInstanceOf(ServerMessage.Ack.class);
        assertThat(ann.expect(Publication.class).data().asText()).isEqualTo("hi");
        assertThat(hub().presence("members:x").get()).hasSize(1);
    }

    @Test
    void unknownNamespaceIsUnknownChannel() throws Exception {
        TestHubClient c = connect();
        assertThat(c.error(new Command.Subscribe(c.nextId(), "nope:x", null, null)).code()).isEqualTo(102);
        assertThat(c.error(new Command.Publish(c.nextId(), "nope:x", TextNode.valueOf("x"), null, null)).code()).isEqualTo(102);
        assertThat(c.error(new Command.History(c.nextId(), "nope:x", null, null)).code()).isEqualTo(102);
        ServerMessage.Error presence = c.error(new Command.Presence(c.nextId(), "nope:x"));
        assertThat(presence.code()).isEqualTo(102);
        assertThat(presence.message()).contains("nope");

        // Resuming an unknown channel in connect: the connection works, that channel is refused.
        TestHubClient r = track(new TestHubClient(server.port(), HubCodec.JSON));
        Map<String, StreamPosition> subs = new HashMap<>();
        subs.put("nope:x", null);
        subs.put("fine", null);
        ServerMessage.Connected connected = r.connect(null, subs);
        assertThat(connected.subs()).containsOnlyKeys("fine");
        ServerMessage.Unsubscribed refused = r.expect(ServerMessage.Unsubscribed.class);
        assertThat(refused.channel()).isEqualTo("nope:x");
        assertThat(hub().channels()).containsOnlyKeys("fine");
    }

    @Test
    void maxChannelsPerConnection() throws Exception {
        TestHubClient c = connect();
        c.subscribe("a");
        c.subscribe("b");
        c.subscribe("c");
        ServerMessage.Error error = c.error(new Command.Subscribe(c.nextId(), "d", null, null));
        assertThat(error.code()).isEqualTo(106);
        assertThat(c.error(new Command.Subscribe(c.nextId(), "a", null, null)).code()).isEqualTo(105);
        long id = c.nextId();
        c.send(new Command.Unsubscribe(id, "a"));
        assertThat(c.reply(id)).isInstanceOf(ServerMessage.Unsubscribed.class);
        c.subscribe("d");
        assertThat(hub().channels()).containsOnlyKeys("b", "c", "d");
    }

    @Test
    void maxConnectionsPerUser() throws Exception {
        String token = Jwt.hs256("ann", 60_000L);
        TestHubClient first = connect(token);
        connect(token);
        TestHubClient third = track(new TestHubClient(server.port(), HubCodec.JSON));
        third.send(new Command.Connect(1L, token, null, null, null));
        ServerMessage.Disconnect d = third.expect(ServerMessage.Disconnect.class);
        assertThat(d.code()).isEqualTo(3503);
        assertThat(d.reconnect()).isFalse();
        assertThat(third.awaitClose()).isEqualTo(3503);
        // Other users and anonymous connections are not affected.
        connect(Jwt.hs256("bob", 60_000L));
        connect();
        connect();
        connect();

        // When one of ann's connections goes, its slot is free again.
        first.close();
        boolean admitted = eventually(5_000, () -> {
            try (TestHubClient again = new TestHubClient(server.port(), HubCodec.JSON)) {
                again.send(new Command.Connect(1L, token, null, null, null));
                ServerMessage m = again.next();
                return m instanceof ServerMessage.Connected;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(admitted).isTrue();
    }
}
