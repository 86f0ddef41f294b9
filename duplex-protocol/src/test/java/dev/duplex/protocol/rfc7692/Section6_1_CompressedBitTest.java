package dev.duplex.protocol.rfc7692;

import static dev.duplex.protocol.EventRecorder.binary;
import static dev.duplex.protocol.EventRecorder.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.protocol.Compression;
import dev.duplex.protocol.Endpoint;
import dev.duplex.protocol.Hex;
import dev.duplex.protocol.Limits;
import dev.duplex.protocol.RawFrames;
import dev.duplex.protocol.Role;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RFC 7692 §6 "Per-Message Compression": RSV1 ("Per-Message Compressed" bit) only on the first
 * frame of a data message, only when negotiated; RSV2/RSV3 stay reserved (RELIABILITY F6); data
 * that is not valid DEFLATE is invalid payload (1007).
 */
class Section6_1_CompressedBitTest {
    private static final int RSV1 = 0x40;
    private static final int RSV2 = 0x20;
    private static final int RSV3 = 0x10;
    private static final byte[] HELLO_DEFLATED = Hex.parse("f2 48 cd c9 c9 07 00");

    private static Endpoint server() {
        return Compression.endpoint(Role.SERVER, Limits.defaults(), Compression.agreement(true, true, 256));
    }

    private static Endpoint client() {
        return Compression.endpoint(Role.CLIENT, Limits.defaults(), Compression.agreement(true, true, 256));
    }

    /** Checks a 1002/1007 failure: reported once, a Close with the code written, nothing else. */
    private static void assertFailed(Endpoint endpoint, int code) {
        assertThat(endpoint.events.takeErrorCode()).isEqualTo(code);
        endpoint.events.assertExhausted();
        var frames = endpoint.writtenFrames();
        assertThat(frames).hasSize(1);
        assertThat(frames.get(0).opcode()).isEqualTo(0x8);
        assertThat(frames.get(0).closeCode()).isEqualTo(code);
        assertThat(endpoint.connection.isFailed()).isTrue();
    }

    @Test
    @DisplayName("With deflate negotiated, a compressed text and binary message (RSV1) are inflated; an uncompressed one passes as is")
    void compressedAndUncompressedMessages() {
        Endpoint server = server();
        server.receive(RawFrames.text("").payload(HELLO_DEFLATED).rsv(RSV1).masked().bytes(),
                RawFrames.binary(HELLO_DEFLATED).rsv(RSV1).masked().bytes(),
                RawFrames.text("plain").masked().bytes(),
                RawFrames.binary(HELLO_DEFLATED).masked().bytes());
        assertThat(server.events.takeAll()).containsExactly(text("Hello"), binary("Hello".getBytes(StandardCharsets.US_ASCII)),
                text("plain"), binary(HELLO_DEFLATED));
        assertThat(server.written()).isEmpty();
    }

    @ParameterizedTest(name = "opcode 0x{0}")
    @ValueSource(ints = {0x8, 0x9, 0xA})
    @DisplayName("RSV1 on a control frame (Close, Ping, Pong) → 1002; no pong for such a ping")
    void rsv1OnControlFrame(int opcode) {
        Endpoint server = server().receive(RawFrames.frame(opcode).rsv(RSV1).payload(new byte[] {3, (byte) 0xE8}).masked().bytes());
        assertFailed(server, 1002);

        Endpoint client = client().receive(RawFrames.frame(opcode).rsv(RSV1).payload(new byte[] {3, (byte) 0xE8}).bytes());
        assertFailed(client, 1002);
    }

    @Test
    @DisplayName("RSV1 on a control frame in the middle of a compressed fragmented message → 1002")
    void rsv1OnControlFrameInsideCompressedMessage() {
        Endpoint server = server().receive(
                RawFrames.text("").payload(Hex.parse("f2 48 cd")).rsv(RSV1).fin(false).masked().bytes(),
                RawFrames.ping(new byte[] {1}).rsv(RSV1).masked().bytes());
        assertFailed(server, 1002);
    }

    @Test
    @DisplayName("RSV1 on a continuation frame → 1002 (after a compressed or an uncompressed first frame)")
    void rsv1OnContinuation() {
        Endpoint afterCompressed = client().receive(Hex.parse("41 03 f2 48 cd"), Hex.parse("c0 04 c9 c9 07 00"));
        assertFailed(afterCompressed, 1002);

        Endpoint afterPlain = server().receive(RawFrames.text("Hel").fin(false).masked().bytes(),
                RawFrames.continuation("lo".getBytes(StandardCharsets.US_ASCII)).rsv(RSV1).masked().bytes());
        assertFailed(afterPlain, 1002);
    }

    @Test
    @DisplayName("RSV1 without permessage-deflate negotiated → 1002 (server and client)")
    void rsv1WithoutDeflate() {
        Endpoint server = Endpoint.server().receive(RawFrames.text("").payload(HELLO_DEFLATED).rsv(RSV1).masked().bytes());
        assertFailed(server, 1002);
        assertThat(server.connection.isCompressing()).isFalse();

        Endpoint client = Endpoint.client().receiveHex(Section7_2_3_ExamplesTest.HELLO);
        assertFailed(client, 1002);
    }

    @ParameterizedTest(name = "rsv bits 0x{0}")
    @ValueSource(ints = {RSV2, RSV3, RSV2 | RSV3, RSV1 | RSV2, RSV1 | RSV3, RSV1 | RSV2 | RSV3})
    @DisplayName("RSV2/RSV3 with deflate negotiated → 1002, on data and control frames")
    void rsv2AndRsv3StayReserved(int rsv) {
        Endpoint data = server().receive(RawFrames.binary(HELLO_DEFLATED).rsv(rsv).masked().bytes());
        assertFailed(data, 1002);

        Endpoint ping = client().receive(RawFrames.ping(new byte[] {1}).rsv(rsv).bytes());
        assertFailed(ping, 1002);

        Endpoint continuation = server().receive(RawFrames.binary(HELLO_DEFLATED).rsv(RSV1).fin(false).masked().bytes(),
                RawFrames.continuation(new byte[0]).rsv(rsv).masked().bytes());
        assertFailed(continuation, 1002);
    }

    @Test
    @DisplayName("Corrupt DEFLATE data → 1007: reserved block type, distance too far back, bad stored length, in any fragment")
    void corruptDeflateData() {
        // BFINAL=1, BTYPE=11 (reserved)
        assertFailed(server().receive(RawFrames.binary(Hex.parse("ff ff ff")).rsv(RSV1).masked().bytes()), 1007);
        // §7.2.3.2's second message without the first: a back-reference before the start
        assertFailed(server().receive(RawFrames.text("").payload(Hex.parse("f2 00 11 00 00")).rsv(RSV1).masked().bytes()), 1007);
        // A stored block whose NLEN is not the complement of LEN
        assertFailed(client().receiveHex("c2 08 00 05 00 fa fe 48 65 6c"), 1007);
        // Valid first fragment, garbage in the continuation
        assertFailed(client().receiveHex("41 0a 00 05 00 fa ff 48 65 6c 6c 6f" + "80 03 ff ff ff"), 1007);
    }

    @Test
    @DisplayName("A compressed text message that inflates to invalid UTF-8 → 1007")
    void compressedInvalidUtf8() {
        byte[] invalid = {'a', (byte) 0xC0, (byte) 0xAF, 'b'};
        assertFailed(server().receive(RawFrames.text("").payload(Compression.deflate(invalid, 6)).rsv(RSV1).masked().bytes()), 1007);
        byte[] truncated = {'a', (byte) 0xE2, (byte) 0x82};
        assertFailed(client().receive(RawFrames.text("").payload(Compression.deflate(truncated, 6)).rsv(RSV1).bytes()), 1007);
    }

    @Test
    @DisplayName("After a compressed-data error the connection still finds the peer's Close")
    void closeAfterCorruptData() {
        Endpoint server = server().receive(RawFrames.binary(Hex.parse("ff ff ff")).rsv(RSV1).masked().bytes(),
                RawFrames.binary(HELLO_DEFLATED).rsv(RSV1).masked().bytes(),
                RawFrames.close(1007, "").masked().bytes());
        assertThat(server.events.takeErrorCode()).isEqualTo(1007);
        assertThat(server.events.take()).isEqualTo(new dev.duplex.protocol.EventRecorder.CloseReceived(1007, ""));
        server.events.assertExhausted();
    }
}
