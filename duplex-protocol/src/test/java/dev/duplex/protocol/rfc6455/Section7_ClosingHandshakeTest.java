package dev.duplex.protocol.rfc6455;

import static dev.duplex.protocol.EventRecorder.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duplex.protocol.CloseCodes;
import dev.duplex.protocol.Connection.Initiator;
import dev.duplex.protocol.Connection.State;
import dev.duplex.protocol.Endpoint;
import dev.duplex.protocol.EventRecorder.CloseReceived;
import dev.duplex.protocol.Hex;
import dev.duplex.protocol.Peers;
import dev.duplex.protocol.RawFrames;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 6455 §7 "Closing the Connection" and §5.5.1, with two connections wired back to back. */
class Section7_ClosingHandshakeTest {

    @Test
    @DisplayName("Client initiates: client OPEN → CLOSING → CLOSED; server OPEN → CLOSED after echoing")
    void clientInitiatesTheCloseHandshake() {
        Peers peers = new Peers();
        assertThat(peers.client.state()).isEqualTo(State.OPEN);
        assertThat(peers.client.connection.closeInitiator()).isNull();

        peers.client.connection.sendClose(CloseCodes.NORMAL, "bye", peers.client.out);
        assertThat(peers.client.state()).isEqualTo(State.CLOSING);
        assertThat(peers.client.connection.closeInitiator()).isEqualTo(Initiator.LOCAL);

        List<RawFrames.Frame> sent = RawFrames.decode(peers.clientToServer());
        assertThat(sent).singleElement().satisfies(f -> {
            assertThat(f.closeCode()).isEqualTo(1000);
            assertThat(f.closeReason()).isEqualTo("bye");
        });
        assertThat(peers.server.events.take()).isEqualTo(new CloseReceived(1000, "bye"));
        assertThat(peers.server.state()).isEqualTo(State.CLOSED);
        assertThat(peers.server.connection.closeInitiator()).isEqualTo(Initiator.REMOTE);

        List<RawFrames.Frame> reply = RawFrames.decode(peers.serverToClient());
        assertThat(reply).singleElement().extracting(RawFrames.Frame::closeCode).isEqualTo(1000);
        assertThat(peers.client.events.take()).isEqualTo(new CloseReceived(1000, ""));
        assertThat(peers.client.state()).isEqualTo(State.CLOSED);
        assertThat(peers.client.connection.closeInitiator()).isEqualTo(Initiator.LOCAL);

        assertThat(peers.client.written()).as("nothing after the handshake").isEmpty();
        assertThat(peers.client.connection.isFailed()).isFalse();
        assertThat(peers.server.connection.isFailed()).isFalse();
        assertThat(peers.client.connection.receiveEof()).as("clean close").isTrue();
        assertThat(peers.server.connection.receiveEof()).isTrue();
        peers.client.events.assertExhausted();
        peers.server.events.assertExhausted();
    }

    @Test
    @DisplayName("Server initiates: the client echoes and both end CLOSED")
    void serverInitiatesTheCloseHandshake() {
        Peers peers = new Peers();
        peers.server.connection.sendClose(CloseCodes.GOING_AWAY, "restart", peers.server.out);
        assertThat(peers.server.state()).isEqualTo(State.CLOSING);
        peers.serverToClient();
        assertThat(peers.client.events.take()).isEqualTo(new CloseReceived(1001, "restart"));
        assertThat(peers.client.state()).isEqualTo(State.CLOSED);
        assertThat(peers.client.connection.closeInitiator()).isEqualTo(Initiator.REMOTE);

        List<RawFrames.Frame> reply = RawFrames.decode(peers.clientToServer());
        assertThat(reply).singleElement().satisfies(f -> {
            assertThat(f.masked()).isTrue();
            assertThat(f.closeCode()).as("the peer's code is echoed").isEqualTo(1001);
        });
        assertThat(peers.server.events.take()).isEqualTo(new CloseReceived(1001, ""));
        assertThat(peers.server.state()).isEqualTo(State.CLOSED);
        assertThat(peers.server.connection.closeInitiator()).isEqualTo(Initiator.LOCAL);
    }

    @Test
    @DisplayName("Both sides send Close at once: neither replies, both end CLOSED as initiator")
    void simultaneousClose() {
        Peers peers = new Peers();
        peers.client.connection.sendClose(CloseCodes.NORMAL, "client", peers.client.out);
        peers.server.connection.sendClose(CloseCodes.GOING_AWAY, "server", peers.server.out);
        byte[] fromClient = peers.client.written();
        byte[] fromServer = peers.server.written();
        peers.server.receive(fromClient);
        peers.client.receive(fromServer);
        assertThat(peers.server.events.take()).isEqualTo(new CloseReceived(1000, "client"));
        assertThat(peers.client.events.take()).isEqualTo(new CloseReceived(1001, "server"));
        assertThat(peers.client.state()).isEqualTo(State.CLOSED);
        assertThat(peers.server.state()).isEqualTo(State.CLOSED);
        assertThat(peers.client.connection.closeInitiator()).isEqualTo(Initiator.LOCAL);
        assertThat(peers.server.connection.closeInitiator()).isEqualTo(Initiator.LOCAL);
        assertThat(peers.client.written()).isEmpty();
        assertThat(peers.server.written()).isEmpty();
    }

    @Test
    @DisplayName("Autobahn 7.1.1: messages sent before Close arrive; the handshake then completes")
    void messagesBeforeCloseAreDelivered() {
        Peers peers = new Peers();
        peers.client.connection.sendText("Hello World!", peers.client.out);
        peers.client.connection.sendClose(CloseCodes.NORMAL, "", peers.client.out);
        peers.exchange();
        assertThat(peers.server.events.take()).isEqualTo(text("Hello World!"));
        assertThat(peers.server.events.take()).isEqualTo(new CloseReceived(1000, ""));
        assertThat(peers.client.events.take()).isEqualTo(new CloseReceived(1000, ""));
        assertThat(peers.client.state()).isEqualTo(State.CLOSED);
        assertThat(peers.server.state()).isEqualTo(State.CLOSED);
    }

    @Test
    @DisplayName("Autobahn 7.3.1: an empty Close is reported as 1005 and echoed empty")
    void emptyCloseIsEchoedEmpty() {
        Endpoint server = Endpoint.server().receive(RawFrames.close().masked().bytes());
        assertThat(server.events.take()).isEqualTo(new CloseReceived(CloseCodes.NO_STATUS, ""));
        server.events.assertExhausted();
        assertThat(Hex.of(server.written())).isEqualTo("88 00");
        assertThat(server.state()).isEqualTo(State.CLOSED);
    }

    @Test
    @DisplayName("Nothing behind the peer's Close in the same read is reported: a second Close, a ping, a bad frame (found by FrameFuzzTest)")
    void nothingAfterTheCloseInTheSameReadIsReported() {
        Endpoint client = Endpoint.client().receive(RawFrames.concat(RawFrames.close().bytes(), RawFrames.close().bytes(),
                RawFrames.ping(new byte[] {1}).bytes(), RawFrames.frame(0x3).bytes()));
        assertThat(client.events.take()).isEqualTo(new CloseReceived(CloseCodes.NO_STATUS, ""));
        client.events.assertExhausted();
        assertThat(client.writtenFrames()).singleElement().satisfies(f -> assertThat(f.opcode()).isEqualTo(0x8));
        assertThat(client.connection.isFailed()).isFalse();
        assertThat(client.state()).isEqualTo(State.CLOSED);
    }

    @Test
    void thePeersCodeIsEchoed() {
        Endpoint server = Endpoint.server().receive(RawFrames.close(4321, "custom").masked().bytes());
        assertThat(server.events.take()).isEqualTo(new CloseReceived(4321, "custom"));
        assertThat(server.writtenFrames()).singleElement().satisfies(f -> {
            assertThat(f.closeCode()).isEqualTo(4321);
            assertThat(f.closeReason()).isEmpty();
        });
    }

    @Test
    @DisplayName("Autobahn 7.1.3: data frames after the peer's Close are ignored")
    void dataAfterThePeersCloseIsIgnored() {
        Endpoint server = Endpoint.server().receive(RawFrames.concat(
                RawFrames.close(1000, "").masked().bytes(),
                RawFrames.text("after close").masked().bytes(),
                RawFrames.ping("p".getBytes()).masked().bytes()));
        assertThat(server.events.take()).isEqualTo(new CloseReceived(1000, ""));
        server.events.assertExhausted();
        server.receive(RawFrames.text("still after close").masked().bytes());
        server.events.assertExhausted();
        assertThat(server.writtenFrames()).as("only the echoed Close").singleElement().extracting(RawFrames.Frame::opcode).isEqualTo(0x8);
    }

    @Test
    @DisplayName("RELIABILITY F9: after we sent Close, data frames from the peer are ignored; its Close completes the handshake")
    void dataAfterOurCloseIsIgnored() {
        Endpoint server = Endpoint.server();
        server.connection.sendClose(CloseCodes.NORMAL, "", server.out);
        server.written();
        server.receive(
                RawFrames.text("late").masked().bytes(),
                RawFrames.binary(new byte[] {1}).fin(false).masked().bytes(),
                RawFrames.continuation(new byte[] {2}).masked().bytes());
        server.events.assertExhausted();
        assertThat(server.state()).isEqualTo(State.CLOSING);
        server.receive(RawFrames.close(1000, "").masked().bytes());
        assertThat(server.events.take()).isEqualTo(new CloseReceived(1000, ""));
        assertThat(server.state()).isEqualTo(State.CLOSED);
        assertThat(server.written()).as("no second Close").isEmpty();
        assertThat(server.connection.isFailed()).isFalse();
    }

    @Test
    @DisplayName("Autobahn 7.1.2: a second Close from the peer is ignored")
    void secondCloseIsIgnored() {
        Endpoint server = Endpoint.server().receive(
                RawFrames.close(1000, "").masked().bytes(),
                RawFrames.close(1001, "again").masked().bytes());
        assertThat(server.events.take()).isEqualTo(new CloseReceived(1000, ""));
        server.events.assertExhausted();
        assertThat(server.writtenFrames()).hasSize(1);
    }

    @ParameterizedTest(name = "sendClose({0}) is refused: the code may not be sent")
    @ValueSource(ints = {1005, 1006, 1015, 999, 5000, 0, 1004, 1016, 2999, -1, 65536})
    void sendCloseWithACodeThatMayNotBeSentIsRefused(int code) {
        Endpoint server = Endpoint.server();
        assertThatThrownBy(() -> server.connection.sendClose(code, "", server.out)).isInstanceOf(IllegalArgumentException.class);
        assertThat(server.state()).isEqualTo(State.OPEN);
        assertThat(server.written()).isEmpty();
    }

    @Test
    @DisplayName("A close reason of more than 123 bytes of UTF-8 is refused; 123 is fine")
    void reasonOver123BytesIsRefused() {
        Endpoint server = Endpoint.server();
        assertThatThrownBy(() -> server.connection.sendClose(CloseCodes.NORMAL, "x".repeat(124), server.out))
                .isInstanceOf(IllegalArgumentException.class);
        // 62 two-byte characters: 62 chars but 124 bytes.
        assertThatThrownBy(() -> server.connection.sendClose(CloseCodes.NORMAL, "é".repeat(62), server.out))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(server.state()).isEqualTo(State.OPEN);
        assertThat(server.written()).isEmpty();

        server.connection.sendClose(CloseCodes.NORMAL, "x".repeat(123), server.out);
        assertThat(server.writtenFrames()).singleElement().satisfies(f -> {
            assertThat(f.payload()).hasSize(125);
            assertThat(f.closeReason()).isEqualTo("x".repeat(123));
        });
    }

    @Test
    void aNullReasonSendsOnlyTheCode() {
        Endpoint server = Endpoint.server();
        server.connection.sendClose(CloseCodes.NORMAL, null, server.out);
        assertThat(Hex.of(server.written())).isEqualTo("88 02 03 e8");
    }

    @Test
    @DisplayName("EOF before the close handshake: receiveEof returns false and the connection is CLOSED")
    void eofBeforeCloseIsNotClean() {
        Endpoint server = Endpoint.server().receive(RawFrames.text("partial").fin(false).masked().bytes());
        assertThat(server.connection.receiveEof()).isFalse();
        assertThat(server.state()).isEqualTo(State.CLOSED);
        server.receive(RawFrames.continuation("x".getBytes()).masked().bytes());
        server.events.assertExhausted();
    }

    @Test
    void eofAfterSendingCloseButBeforeTheReplyIsNotClean() {
        Endpoint client = Endpoint.client();
        client.connection.sendClose(CloseCodes.NORMAL, "", client.out);
        assertThat(client.connection.receiveEof()).isFalse();
        assertThat(client.state()).isEqualTo(State.CLOSED);
    }

    @Test
    @DisplayName("The Close we send for a protocol error fits 125 bytes, whatever the error message")
    void errorCloseFitsAControlFrame() {
        Endpoint server = Endpoint.server().receiveHex("82 ff 00 00 00 00 40 00 00 00 01 02 03 04");
        assertThat(server.events.takeErrorCode()).isEqualTo(1009);
        RawFrames.Frame close = server.writtenFrames().get(0);
        assertThat(close.payload().length).isLessThanOrEqualTo(125);
        assertThat(close.closeReason()).isNotEmpty();
    }

    @Test
    void closeFrameWithAMaximalReasonIsAccepted() {
        String reason = "r".repeat(123);
        Endpoint server = Endpoint.server().receive(RawFrames.close(1000, reason).masked().bytes());
        assertThat(server.events.take()).isEqualTo(new CloseReceived(1000, reason));
        server.events.assertExhausted();
    }

    @Test
    void sendingAfterTheHandshakeCompletedIsRefused() {
        Endpoint server = Endpoint.server().receive(RawFrames.close(1000, "").masked().bytes());
        server.written();
        assertThatThrownBy(() -> server.connection.sendBinary(ByteBuffer.allocate(1), server.out)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> server.connection.sendClose(1000, "", server.out)).isInstanceOf(IllegalStateException.class);
    }
}
