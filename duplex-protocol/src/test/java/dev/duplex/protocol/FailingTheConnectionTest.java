package dev.duplex.protocol;

import static dev.duplex.protocol.EventRecorder.ping;
import static dev.duplex.protocol.EventRecorder.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.protocol.Connection.Initiator;
import dev.duplex.protocol.Connection.State;
import dev.duplex.protocol.EventRecorder.CloseReceived;
import dev.duplex.protocol.EventRecorder.ProtocolError;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RFC 6455 §7.1.7 "Fail the WebSocket Connection": after a protocol error the connection sends one
 * Close with the error's code, ignores everything but the peer's Close, and completes on it.
 */
class FailingTheConnectionTest {

    static Stream<Arguments> badInputs() {
        return Stream.of(
                Arguments.of("reserved opcode 0x3", RawFrames.frame(0x3).payload("x").masked().bytes(), 1002),
                Arguments.of("RSV1 without an extension", RawFrames.text("x").rsv(0x40).masked().bytes(), 1002),
                Arguments.of("unmasked client frame", RawFrames.text("x").bytes(), 1002),
                Arguments.of("orphan continuation", RawFrames.continuation(new byte[] {1}).masked().bytes(), 1002),
                Arguments.of("fragmented ping", RawFrames.ping(new byte[] {1}).fin(false).masked().bytes(), 1002),
                Arguments.of("126-byte ping", RawFrames.ping(new byte[126]).masked().bytes(), 1002),
                Arguments.of("invalid UTF-8", RawFrames.frame(0x1).payload(Hex.parse("c0 af")).masked().bytes(), 1007),
                Arguments.of("close code 1005", RawFrames.close(1005, "").masked().bytes(), 1002),
                Arguments.of("frame over 1 MiB", RawFrames.binary(new byte[(1 << 20) + 1]).masked().bytes(), 1009));
    }

    @ParameterizedTest(name = "{0} → exactly one Close {2}, CLOSING and failed, then completes on the peer''s Close")
    @MethodSource("badInputs")
    void afterAProtocolErrorTheConnectionFailsCleanly(String what, byte[] bad, int code) {
        Endpoint server = Endpoint.server().receive(bad);

        ProtocolError error = server.events.take(ProtocolError.class);
        assertThat(error.code()).isEqualTo(code);
        assertThat(error.message()).isNotBlank();
        server.events.assertExhausted();
        List<RawFrames.Frame> written = server.writtenFrames();
        assertThat(written).singleElement().satisfies(f -> {
            assertThat(f.opcode()).isEqualTo(0x8);
            assertThat(f.closeCode()).isEqualTo(code);
            assertThat(f.payload().length).isLessThanOrEqualTo(125);
        });
        assertThat(server.state()).isEqualTo(State.CLOSING);
        assertThat(server.connection.isFailed()).isTrue();
        assertThat(server.connection.closeInitiator()).isEqualTo(Initiator.LOCAL);

        // Data, pings and more bad frames are ignored: no events, no pongs, no second Close.
        server.receive(
                RawFrames.text("ignored").masked().bytes(),
                RawFrames.binary(new byte[] {1, 2, 3}).masked().bytes(),
                RawFrames.ping("no pong".getBytes()).masked().bytes(),
                RawFrames.frame(0xB).payload("bad again").masked().bytes(),
                RawFrames.text("also ignored").rsv(0x10).masked().bytes());
        server.events.assertExhausted();
        assertThat(server.written()).isEmpty();

        server.receive(RawFrames.close(1000, "").masked().bytes());
        assertThat(server.events.take()).isEqualTo(new CloseReceived(1000, ""));
        server.events.assertExhausted();
        assertThat(server.state()).isEqualTo(State.CLOSED);
        assertThat(server.written()).as("our Close was already sent").isEmpty();
        assertThat(server.connection.receiveEof()).isTrue();
    }

    @Test
    @DisplayName("Messages before the bad frame in the same read are delivered (and pings answered) before the error")
    void validMessagesBeforeTheBadFrameAreDelivered() {
        Endpoint server = Endpoint.server().receive(RawFrames.concat(
                RawFrames.text("first").masked().bytes(),
                RawFrames.ping("p".getBytes()).masked().bytes(),
                RawFrames.text("second").fin(false).masked().bytes(),
                RawFrames.continuation("!".getBytes()).masked().bytes(),
                RawFrames.frame(0x4).masked().bytes(),
                RawFrames.text("after").masked().bytes()));
        assertThat(server.events.take()).isEqualTo(text("first"));
        assertThat(server.events.take()).isEqualTo(ping("p".getBytes()));
        assertThat(server.events.take()).isEqualTo(text("second!"));
        assertThat(server.events.takeErrorCode()).isEqualTo(1002);
        server.events.assertExhausted();
        assertThat(server.writtenFrames()).extracting(RawFrames.Frame::opcode).containsExactly(0xA, 0x8);
    }

    @Test
    @DisplayName("A message interrupted by the error is never delivered, not even in part")
    void interruptedMessageIsDropped() {
        Endpoint server = Endpoint.server().receive(
                RawFrames.text("partial").fin(false).masked().bytes(),
                RawFrames.frame(0x1).payload("new message mid-fragment").masked().bytes(),
                RawFrames.continuation(" end".getBytes()).masked().bytes());
        assertThat(server.events.takeErrorCode()).isEqualTo(1002);
        server.events.assertExhausted();
    }

    @Test
    @DisplayName("Only the first error is reported and sent")
    void onlyTheFirstErrorCounts() {
        Endpoint server = Endpoint.server().receive(RawFrames.concat(
                RawFrames.frame(0x1).payload(Hex.parse("ff")).masked().bytes(),
                RawFrames.frame(0x3).masked().bytes(),
                RawFrames.text("unmasked").bytes()));
        assertThat(server.events.takeErrorCode()).isEqualTo(1007);
        server.events.assertExhausted();
        assertThat(server.writtenFrames()).singleElement().extracting(RawFrames.Frame::closeCode).isEqualTo(1007);
    }

    @Test
    @DisplayName("An error after we sent Close is reported but sends no second Close")
    void errorAfterOurCloseSendsNoSecondClose() {
        Endpoint server = Endpoint.server();
        server.connection.sendClose(CloseCodes.GOING_AWAY, "", server.out);
        server.written();
        server.receive(RawFrames.frame(0x1).payload("x").rsv(0x40).masked().bytes());
        assertThat(server.events.takeErrorCode()).isEqualTo(1002);
        assertThat(server.written()).isEmpty();
        assertThat(server.connection.isFailed()).isTrue();
        assertThat(server.state()).isEqualTo(State.CLOSING);
        server.receive(RawFrames.close(1001, "").masked().bytes());
        assertThat(server.events.take()).isEqualTo(new CloseReceived(1001, ""));
        assertThat(server.state()).isEqualTo(State.CLOSED);
    }

    @Test
    @DisplayName("The peer's Close is found even when it follows the rest of a bad frame split across reads")
    void peersCloseIsFoundAfterTheRestOfABadFrame() {
        byte[] bad = RawFrames.frame(0x1).payload("abc\u00ff-rest-of-a-long-frame".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1))
                .masked().bytes();
        Endpoint server = Endpoint.server().receive(java.util.Arrays.copyOf(bad, 12));
        assertThat(server.events.takeErrorCode()).isEqualTo(1007);
        server.receive(RawFrames.concat(java.util.Arrays.copyOfRange(bad, 12, bad.length), RawFrames.close(1000, "ok").masked().bytes()));
        // After a failure the peer's Close is no longer validated, so only its code is reported.
        assertThat(server.events.take(CloseReceived.class).code()).isEqualTo(1000);
        assertThat(server.state()).isEqualTo(State.CLOSED);
    }

    @ParameterizedTest
    @ValueSource(ints = {1005, 1006, 1015, 0, 1004, 2999, 65535})
    @DisplayName("After a failure, a peer's Close with a code no peer may send is reported as 1005 (found by FrameFuzzTest)")
    void invalidCodeInThePeersCloseAfterAFailureIsNotReported(int code) {
        Endpoint server = Endpoint.server().receive(RawFrames.frame(0x3).payload("x").masked().bytes());
        assertThat(server.events.takeErrorCode()).isEqualTo(1002);
        server.receive(RawFrames.frame(0x8).payload(new byte[] {(byte) (code >>> 8), (byte) code}).masked().bytes());
        assertThat(server.events.take()).isEqualTo(new CloseReceived(CloseCodes.NO_STATUS, ""));
        assertThat(server.state()).isEqualTo(State.CLOSED);
    }

    @Test
    void aClientFailsTheSameWayWithAMaskedClose() {
        Endpoint client = Endpoint.client().receive(RawFrames.frame(0x2).rsv(0x20).payload("x").bytes());
        assertThat(client.events.takeErrorCode()).isEqualTo(1002);
        assertThat(client.writtenFrames()).singleElement().satisfies(f -> {
            assertThat(f.masked()).isTrue();
            assertThat(f.closeCode()).isEqualTo(1002);
        });
        client.receive(RawFrames.close(1002, "").bytes());
        assertThat(client.state()).isEqualTo(State.CLOSED);
    }
}
