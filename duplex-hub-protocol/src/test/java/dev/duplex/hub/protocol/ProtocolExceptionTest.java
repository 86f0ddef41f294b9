package dev.duplex.hub.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Error messages quote what clients send: they stay one printable, bounded line. */
class ProtocolExceptionTest {

    @Test
    void anUnknownTypeWithALineBreakIsQuotedOnOneLine() {
        ProtocolException e = assertRefused("{\"type\":\"a\\nb\\u0007c\"}");
        assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_COMMAND);
        assertThat(e.getMessage()).isEqualTo("Unknown message type \"a\\u000ab\\u0007c\"");
    }

    @Test
    void aLongMessageIsCut() {
        String message = new ProtocolException(ErrorCode.BAD_REQUEST, "x".repeat(2_000), null).getMessage();
        assertThat(message).hasSize(ProtocolException.MAX_MESSAGE_LENGTH + 1).endsWith("…");
        assertThat(new ProtocolException(ErrorCode.BAD_REQUEST, "Missing field \"data\"", 1L).getMessage())
                .isEqualTo("Missing field \"data\"");
    }

    private static ProtocolException assertRefused(String json) {
        try {
            HubCodec.JSON.decodeCommand(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (ProtocolException e) {
            return e;
        }
        throw new AssertionError("accepted " + json);
    }
}
