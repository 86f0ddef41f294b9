package dev.duplex.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.protocol.ServerMessage;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What the hub does with malformed, unknown, mistyped, oversized and out-of-order commands. */
class BadInputTest extends HubTestBase {

    private HubConfig.Builder config() {
        return HubConfig.builder()
                .maxBadCommands(5)
                .namespace("small", NamespaceConfig.builder().maxMessageBytes(1_000).build());
    }

    @Test
    void malformedUnknownAndMistypedCommandsGetErrorsAndTheConnectionStays() throws Exception {
        start(config().build());
        TestHubClient c = connect();

        c.sendText("{\"type\":\"ping\",");
        ServerMessage.Error malformed = c.expect(ServerMessage.Error.class);
        assertThat(malformed.code()).isEqualTo(107);
        assertThat(malformed.id()).isNull();
        c.roundTrip();

        c.sendText("{\"type\":\"dance\",\"id\":5}");
        ServerMessage.Error unknown = c.expect(ServerMessage.Error.class);
        assertThat(unknown.code()).isEqualTo(104);
        assertThat(unknown.id()).isEqualTo(5);
        assertThat(unknown.message()).contains("dance");

        c.sendText("{\"type\":\"subscribe\",\"id\":6}");
        ServerMessage.Error missing = c.expect(ServerMessage.Error.class);
        assertThat(missing.code()).isEqualTo(107);
        assertThat(missing.id()).isEqualTo(6);
        assertThat(missing.message()).contains("\"channel\"");
        c.roundTrip();

        c.sendText("{\"type\":\"history\",\"id\":7,\"channel\":\"a\",\"limit\":\"ten\"}");
        ServerMessage.Error limit = c.expect(ServerMessage.Error.class);
        assertThat(limit.code()).isEqualTo(107);
        assertThat(limit.id()).isEqualTo(7);
        assertThat(limit.message()).contains("\"limit\"");

        c.sendText("{\"type\":\"subscribe\",\"id\":8,\"channel\":\"a\",\"since\":{\"offset\":\"x\",\"epoch\":\"e\"}}");
        ServerMessage.Error offset = c.expect(ServerMessage.Error.class);
        assertThat(offset.code()).isEqualTo(107);
        assertThat(offset.message()).contains("since.offset");
        c.roundTrip();

        c.sendText("{\"type\":\"subscribe\",\"id\":9,\"channel\":{\"name\":\"a\"}}");
        ServerMessage.Error channel = c.expect(ServerMessage.Error.class);
        assertThat(channel.code()).isEqualTo(107);
        assertThat(channel.message()).contains("\"channel\"");

        c.sendText("{\"type\":\"ping\",\"id\":\"x\"}");
        ServerMessage.Error id = c.expect(ServerMessage.Error.class);
        assertThat(id.code()).isEqualTo(107);
        assertThat(id.message()).contains("\"id\"");

        c.sendText("[1,2]");
        assertThat(c.expect(ServerMessage.Error.class).code()).isEqualTo(107);

        c.roundTrip();
        assertThat(c.isOpen()).isTrue();
        c.subscribe("a"); // and it still works
    }

    @Test
    void tooLargePublicationIsRefused() throws Exception {
        start(config().build());
        TestHubClient c = connect();
        c.subscribe("small:x");
        ServerMessage.Error tooLarge = c.error(new Command.Publish(c.nextId(), "small:x", TextNode.valueOf("x".repeat(2_000)), null, null));
        assertThat(tooLarge.code()).isEqualTo(111);
        assertThat(tooLarge.message()).contains("1000");
        long id = c.nextId();
        c.send(new Command.Publish(id, "small:x", TextNode.valueOf("x".repeat(900)), null, null));
        ServerMessage.Ack ack = (ServerMessage.Ack) c.reply(id);
        assertThat(ack.offset()).isEqualTo(1); // the refused one took no offset
    }

    @Test
    void jsonNestedDeeperThan64IsRefused() throws Exception {
        start(config().build());
        TestHubClient c = connect();
        c.sendText(publishNested(70));
        ServerMessage.Error deep = c.expect(ServerMessage.Error.class);
        assertThat(deep.code()).isEqualTo(107);
        c.roundTrip();
        // 60 levels of data inside the command object (61 in all) are fine
        c.sendText(publishNested(60));
        assertThat(c.expect(ServerMessage.Ack.class).offset()).isEqualTo(1);
    }

    @Test
    void commandsBeforeConnectAndASecondConnect() throws Exception {
        start(config().build());
        TestHubClient c = open();
        ServerMessage.Error early = c.error(new Command.Ping(1L));
        assertThat(early.code()).isEqualTo(113);
        assertThat(c.error(new Command.Subscribe(2L, "a", null, null)).code()).isEqualTo(113);
        c.connect(null);
        ServerMessage.Error again = c.error(new Command.Connect(c.nextId(), null, null, null, null));
        assertThat(again.code()).isEqualTo(114);
        c.roundTrip();
    }

    @Test
    void tooManyBadCommandsInARowDisconnect() throws Exception {
        start(config().build());
        TestHubClient c = connect();
        for (int i = 0; i < 4; i++) {
            c.sendText("{bad");
        }
        c.roundTrip(); // a good command resets the count
        for (int i = 0; i < 4; i++) {
            c.sendText("{bad");
        }
        c.roundTrip();
        assertThat(c.isOpen()).isTrue();
        for (int i = 0; i < 5; i++) {
            c.sendText("{bad");
        }
        ServerMessage.Disconnect d = c.expect(ServerMessage.Disconnect.class);
        assertThat(d.code()).isEqualTo(3501);
        assertThat(d.reconnect()).isFalse();
        assertThat(c.awaitClose()).isEqualTo(3501);
    }

    @Test
    void noSubprotocolIsClosedWith3504() throws Exception {
        start(config().build());
        TestHubClient c = track(new TestHubClient(server.port(), HubCodec.JSON, null));
        assertThat(c.awaitClose()).isEqualTo(3504);
        assertThat(hub().connectionCount()).isZero();
    }

    @Test
    void noConnectInTimeIsDisconnectedWith3005() throws Exception {
        start(config().connectTimeout(Duration.ofMillis(300)).build());
        TestHubClient idle = open();
        long start = System.nanoTime();
        ServerMessage.Disconnect d = idle.expect(ServerMessage.Disconnect.class);
        assertThat(d.code()).isEqualTo(3005);
        assertThat(idle.awaitClose()).isEqualTo(3005);
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2_500);
        assertThat(eventually(2_000, () -> hub().connectionCount() == 0)).isTrue();
    }

    private static String publishNested(int depth) {
        return "{\"type\":\"publish\",\"id\":99,\"channel\":\"a\",\"data\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
    }
}
