package dev.duplex.hub.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class HubCodecTest {

    private static Command decode(String json) throws ProtocolException {
        return HubCodec.JSON.decodeCommand(json.getBytes(StandardCharsets.UTF_8));
    }

    private static ProtocolException failure(String json) {
        try {
            decode(json);
        } catch (ProtocolException e) {
            return e;
        }
        throw new AssertionError("accepted: " + json);
    }

    @Test
    void decodesEveryCommand() throws Exception {
        assertThat(decode("{\"type\":\"connect\",\"id\":1,\"token\":\"t\",\"subs\":{\"a\":{\"offset\":3,\"epoch\":\"e\"}}}"))
                .isEqualTo(new Command.Connect(1L, "t", null, null, Map.of("a", new StreamPosition(3, "e"))));
        assertThat(decode("{\"type\":\"subscribe\",\"id\":2,\"channel\":\"chat:x\",\"since\":{\"offset\":0,\"epoch\":\"e\"}}"))
                .isEqualTo(new Command.Subscribe(2L, "chat:x", null, new StreamPosition(0, "e")));
        assertThat(decode("{\"type\":\"unsubscribe\",\"channel\":\"c\"}")).isEqualTo(new Command.Unsubscribe(null, "c"));
        Command.Publish p = (Command.Publish) decode("{\"type\":\"publish\",\"id\":3,\"channel\":\"c\",\"data\":{\"v\":[1,2]},\"msgId\":\"m\",\"key\":\"k\"}");
        assertThat(p.data().path("v").get(1).asInt()).isEqualTo(2);
        assertThat(p.msgId()).isEqualTo("m");
        assertThat(decode("{\"type\":\"presence\",\"id\":4,\"channel\":\"c\"}")).isEqualTo(new Command.Presence(4L, "c"));
        assertThat(decode("{\"type\":\"history\",\"id\":5,\"channel\":\"c\",\"limit\":10}")).isEqualTo(new Command.History(5L, "c", null, 10));
        assertThat(decode("{\"type\":\"ping\",\"id\":6}")).isEqualTo(new Command.Ping(6L));
        assertThat(decode("{\"type\":\"refresh\",\"id\":7,\"token\":\"t2\"}")).isEqualTo(new Command.Refresh(7L, "t2"));
        assertThat(decode("{\"type\":\"trace\",\"id\":8,\"client\":\"c\",\"key\":\"k\",\"enabled\":true}"))
                .isEqualTo(new Command.Trace(8L, "c", "k", true));
        assertThat(failure("{\"type\":\"trace\",\"id\":9,\"client\":\"c\",\"enabled\":true}").getMessage()).contains("\"key\"");
    }

    @Test
    void unknownFieldsAreIgnoredForCompatibility() throws Exception {
        assertThat(decode("{\"type\":\"ping\",\"id\":1,\"future\":true}")).isEqualTo(new Command.Ping(1L));
    }

    @Test
    void errorsNameTheProblemAndKeepTheCommandId() {
        ProtocolException malformed = failure("{\"type\":\"ping\",");
        assertThat(malformed.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(malformed.getMessage()).startsWith("Malformed JSON");

        ProtocolException unknown = failure("{\"type\":\"teleport\",\"id\":9}");
        assertThat(unknown.code()).isEqualTo(ErrorCode.UNKNOWN_COMMAND);
        assertThat(unknown.commandId()).isEqualTo(9L);
        assertThat(unknown.getMessage()).contains("teleport");

        ProtocolException missing = failure("{\"type\":\"subscribe\",\"id\":3}");
        assertThat(missing.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(missing.commandId()).isEqualTo(3L);
        assertThat(missing.getMessage()).contains("\"channel\"");

        ProtocolException wrongType = failure("{\"type\":\"subscribe\",\"id\":4,\"channel\":\"c\",\"since\":{\"offset\":\"x\",\"epoch\":\"e\"}}");
        assertThat(wrongType.getMessage()).contains("since.offset");
        assertThat(wrongType.commandId()).isEqualTo(4L);

        assertThat(failure("{\"id\":5}").getMessage()).contains("\"type\"");
        assertThat(failure("{\"type\":\"subscribe\",\"id\":7,\"channel\":123}").getMessage()).contains("\"channel\"");
        assertThat(failure("{\"type\":\"history\",\"id\":8,\"channel\":\"c\",\"limit\":\"7\"}").getMessage()).contains("\"limit\"");
        assertThat(failure("{\"type\":\"trace\",\"id\":9,\"client\":\"c\",\"key\":\"k\",\"enabled\":\"yes\"}").getMessage()).contains("\"enabled\"");
        assertThat(failure("[1,2]").code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(failure("{\"type\":\"ping\",\"id\":1.5}").getMessage()).contains("\"id\"");
        assertThat(failure("{\"type\":\"publish\",\"id\":6,\"channel\":\"c\"}").getMessage()).contains("\"data\"");
        assertThat(failure("{\"type\":\"subscribe\",\"channel\":\"a b\"}").getMessage()).contains("spaces");
        assertThat(failure("{\"type\":\"subscribe\",\"channel\":\"c\",\"since\":{\"offset\":1}}").getMessage()).contains("since.epoch");
    }

    @Test
    void deepNestingIsRefused() {
        String deep = "{\"type\":\"publish\",\"channel\":\"c\",\"data\":" + "[".repeat(200) + "]".repeat(200) + "}";
        assertThat(failure(deep).code()).isEqualTo(ErrorCode.BAD_REQUEST);
    }

    @ParameterizedTest
    @ValueSource(strings = {HubCodec.JSON_SUBPROTOCOL, HubCodec.MSGPACK_SUBPROTOCOL})
    void serverMessagesRoundTrip(String subprotocol) throws Exception {
        HubCodec codec = HubCodec.forSubprotocol(subprotocol);
        ClientInfo info = new ClientInfo("c1", "ann", JsonNodeFactory.instance.objectNode().put("name", "Ann"));
        Publication pub = new Publication("chat:x", 42, JsonNodeFactory.instance.textNode("hi"), info, null);
        List<ServerMessage> messages = List.of(
                new ServerMessage.Connected(1L, "c1", 25_000, null, Map.of("chat:x",
                        new ServerMessage.Subscribed(null, "chat:x", "e", 42, true, List.of(pub))), "k"),
                new ServerMessage.Subscribed(2L, "chat:x", "e", 41, null, List.of()),
                new ServerMessage.Unsubscribed(3L, "chat:x", null),
                pub,
                new ServerMessage.Join("chat:x", info),
                new ServerMessage.Leave("chat:x", info),
                new ServerMessage.Ack(4L, "chat:x", "e", 42, true),
                new ServerMessage.PresenceResult(5L, "chat:x", List.of(info)),
                new ServerMessage.HistoryResult(6L, "chat:x", "e", 42, List.of(pub)),
                new ServerMessage.Pong(7L),
                new ServerMessage.Refreshed(8L, 1_800_000_000_000L),
                new ServerMessage.Error(9L, 107, "bad"),
                new ServerMessage.Disconnect(3000, "shutdown", true, 2_000L),
                new ServerMessage.Tracing(10L, "c1", true),
                new ServerMessage.Frame("c1", "in", true, false, false, false, "close", true, 5, 1000, "bye", 1L));
        for (ServerMessage m : messages) {
            assertThat(codec.decodeServerMessage(codec.encode(m))).isEqualTo(m);
        }
    }

    @Test
    void msgpackCarriesBinaryData() throws Exception {
        byte[] raw = {0, 1, 2, (byte) 0xff};
        Command.Publish p = new Command.Publish(1L, "c", BinaryNode.valueOf(raw), null, null);
        Command back = HubCodec.MSGPACK.decodeCommand(HubCodec.MSGPACK.encode(p));
        assertThat(((Command.Publish) back).data().binaryValue()).isEqualTo(raw);
        // JSON clients receive it as base64.
        String json = new String(HubCodec.JSON.encode(new Publication("c", 1, BinaryNode.valueOf(raw), null, null)), StandardCharsets.UTF_8);
        assertThat(json).contains("\"AAEC/w==\"");
    }

    @Test
    void encodedJsonOmitsNullFields() {
        String json = new String(HubCodec.JSON.encode(new ServerMessage.Pong(null)), StandardCharsets.UTF_8);
        assertThat(json).isEqualTo("{\"type\":\"pong\"}");
    }

    @Test
    void disconnectRangesTellWhetherToReconnect() {
        assertThat(DisconnectCode.SHUTDOWN.reconnect()).isTrue();
        assertThat(DisconnectCode.SLOW_CONSUMER.reconnect()).isTrue();
        assertThat(DisconnectCode.UNAUTHORIZED.reconnect()).isFalse();
        assertThat(DisconnectCode.UNSUPPORTED_PROTOCOL.reconnect()).isFalse();
        assertThat(DisconnectCode.shouldReconnect(4100)).isTrue();
        assertThat(DisconnectCode.shouldReconnect(4600)).isFalse();
        assertThat(DisconnectCode.shouldReconnect(1006)).isTrue();
        assertThat(DisconnectCode.shouldReconnect(1001)).isTrue();
        assertThat(DisconnectCode.shouldReconnect(1002)).isFalse();
        for (DisconnectCode c : DisconnectCode.values()) {
            assertThat(c.reconnect()).as(c.name()).isEqualTo(c.code() < 3500);
        }
    }

    @Test
    void unknownServerMessageTypeIsAnErrorNotACrash() {
        assertThatThrownBy(() -> HubCodec.JSON.decodeServerMessage("{\"type\":\"novel\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ProtocolException.class);
    }
}
