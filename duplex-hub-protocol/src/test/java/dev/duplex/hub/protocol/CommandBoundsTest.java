package dev.duplex.hub.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every field of every command has a bound, checked when the command is decoded (error 107 naming
 * the field and its limit), so nothing a client sends can be stored or echoed at any size.
 */
class CommandBoundsTest {

    private static Command decode(String json) throws ProtocolException {
        return HubCodec.JSON.decodeCommand(json.getBytes(StandardCharsets.UTF_8));
    }

    private static void refused(String json, String field) {
        assertThatThrownBy(() -> decode(json))
                .isInstanceOf(ProtocolException.class)
                .satisfies(e -> {
                    ProtocolException p = (ProtocolException) e;
                    assertThat(p.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                    assertThat(p.getMessage()).as("names the field").contains("\"" + field + "\"").contains("at most");
                });
    }

    private static String quoted(String value) {
        return "\"" + value + "\"";
    }

    @Test
    void messageIdsAndKeysAreShort() throws Exception {
        String big = "k".repeat(1 << 20);
        refused("{\"type\":\"publish\",\"id\":1,\"channel\":\"a\",\"data\":{},\"msgId\":" + quoted(big) + "}", "msgId");
        refused("{\"type\":\"publish\",\"id\":1,\"channel\":\"a\",\"data\":{},\"key\":" + quoted(big) + "}", "key");
        String limit = "m".repeat(Commands.MAX_ID_BYTES);
        Command.Publish ok = (Command.Publish) decode("{\"type\":\"publish\",\"channel\":\"a\",\"data\":{},\"msgId\":"
                + quoted(limit) + ",\"key\":" + quoted(limit) + "}");
        assertThat(ok.msgId()).hasSize(Commands.MAX_ID_BYTES);
        // Counted in UTF-8 bytes: 129 two-byte characters pass 256 bytes.
        refused("{\"type\":\"publish\",\"channel\":\"a\",\"data\":{},\"msgId\":" + quoted("é".repeat(129)) + "}", "msgId");
    }

    @Test
    void tokensNamesVersionsEpochsAndTraceFieldsAreBounded() {
        String token = "t".repeat(Commands.MAX_TOKEN_LENGTH + 1);
        refused("{\"type\":\"connect\",\"token\":" + quoted(token) + "}", "token");
        refused("{\"type\":\"refresh\",\"token\":" + quoted(token) + "}", "token");
        refused("{\"type\":\"subscribe\",\"channel\":\"a\",\"token\":" + quoted(token) + "}", "token");
        refused("{\"type\":\"connect\",\"name\":" + quoted("n".repeat(Commands.MAX_NAME_LENGTH + 1)) + "}", "name");
        refused("{\"type\":\"connect\",\"version\":" + quoted("v".repeat(Commands.MAX_NAME_LENGTH + 1)) + "}", "version");
        String epoch = "e".repeat(Commands.MAX_EPOCH_LENGTH + 1);
        refused("{\"type\":\"subscribe\",\"channel\":\"a\",\"since\":{\"offset\":1,\"epoch\":" + quoted(epoch) + "}}", "since.epoch");
        refused("{\"type\":\"history\",\"channel\":\"a\",\"since\":{\"offset\":1,\"epoch\":" + quoted(epoch) + "}}", "since.epoch");
        refused("{\"type\":\"trace\",\"client\":" + quoted("c".repeat(Commands.MAX_TRACE_FIELD_LENGTH + 1)) + ",\"key\":\"k\",\"enabled\":true}",
                "client");
        refused("{\"type\":\"trace\",\"client\":\"c\",\"key\":" + quoted("k".repeat(Commands.MAX_TRACE_FIELD_LENGTH + 1)) + ",\"enabled\":true}",
                "key");
    }

    @Test
    void resumedSubscriptionsInConnectAreBounded() {
        StringBuilder subs = new StringBuilder("{\"type\":\"connect\",\"subs\":{");
        for (int i = 0; i <= Commands.MAX_SUBS; i++) {
            subs.append(i == 0 ? "" : ",").append("\"c").append(i).append("\":null");
        }
        refused(subs.append("}}").toString(), "subs");
    }

    @Test
    void historyLimitIsBounded() {
        refused("{\"type\":\"history\",\"channel\":\"a\",\"limit\":" + (Commands.MAX_HISTORY_LIMIT + 1) + "}", "limit");
    }

    @Test
    void everyCommandFieldHasABound() {
        // The records' components are the wire fields: each must be listed with its bound here, so a
        // field added later without a bound fails this test.
        List<String> bounded = List.of(
                "Connect.id", "Connect.token", "Connect.name", "Connect.version", "Connect.subs",
                "Subscribe.id", "Subscribe.channel", "Subscribe.token", "Subscribe.since",
                "Unsubscribe.id", "Unsubscribe.channel",
                "Publish.id", "Publish.channel", "Publish.data", "Publish.msgId", "Publish.key",
                "Presence.id", "Presence.channel", "Presence.token",
                "History.id", "History.channel", "History.since", "History.limit", "History.token",
                "Ping.id", "Refresh.id", "Refresh.token",
                "Trace.id", "Trace.client", "Trace.key", "Trace.enabled");
        for (Class<?> type : Command.class.getPermittedSubclasses()) {
            for (var component : type.getRecordComponents()) {
                assertThat(bounded).as("the bound of %s.%s (Commands.validate, PROTOCOL.md)", type.getSimpleName(), component.getName())
                        .contains(type.getSimpleName() + "." + component.getName());
            }
        }
    }
}
