package dev.duplex.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HubSmokeTest {
    private HubServer server;

    @BeforeEach
    void start() {
        server = HubServer.start(HubConfig.defaults(), 0);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void publishReachesSubscriberAndIsAcknowledged() throws Exception {
        try (TestHubClient alice = TestHubClient.connected(server.port());
             TestHubClient bob = TestHubClient.connected(server.port())) {
            bob.send(new Command.Subscribe(1L, "chat:lobby", null, null));
            // "chat" is not a configured namespace in the defaults
            assertThat(bob.expect(ServerMessage.Error.class).code()).isEqualTo(102);
            bob.send(new Command.Subscribe(2L, "lobby", null, null));
            ServerMessage.Subscribed subscribed = bob.expect(ServerMessage.Subscribed.class);
            assertThat(subscribed.offset()).isZero();

            alice.send(new Command.Publish(7L, "lobby", TextNode.valueOf("hi"), "m-1", null));
            ServerMessage.Ack ack = alice.expect(ServerMessage.Ack.class);
            assertThat(ack.id()).isEqualTo(7L);
            assertThat(ack.offset()).isEqualTo(1);
            assertThat(ack.epoch()).isEqualTo(subscribed.epoch());

            Publication p = bob.expect(Publication.class);
            assertThat(p.offset()).isEqualTo(1);
            assertThat(p.data().asText()).isEqualTo("hi");
            assertThat(p.info().client()).isNotEmpty();

            alice.send(new Command.Publish(8L, "lobby", TextNode.valueOf("hi"), "m-1", null));
            ServerMessage.Ack again = alice.expect(ServerMessage.Ack.class);
            assertThat(again.duplicate()).isTrue();
            assertThat(again.offset()).isEqualTo(1);
        }
    }

    @Test
    void msgpackClientReceivesJsonClientsPublication() throws Exception {
        try (TestHubClient json = TestHubClient.connected(server.port());
             TestHubClient msgpack = new TestHubClient(server.port(), HubCodec.MSGPACK)) {
            msgpack.send(new Command.Connect(1L, null, null, null, null));
            msgpack.expect(ServerMessage.Connected.class);
            msgpack.send(new Command.Subscribe(2L, "sensors", null, null));
            msgpack.expect(ServerMessage.Subscribed.class);
            json.send(new Command.Publish(3L, "sensors", TextNode.valueOf("21.5"), null, null));
            assertThat(msgpack.expect(Publication.class).data().asText()).isEqualTo("21.5");
            assertThat(msgpack.ws.subprotocol()).isEqualTo(HubCodec.MSGPACK_SUBPROTOCOL);
        }
    }
}
