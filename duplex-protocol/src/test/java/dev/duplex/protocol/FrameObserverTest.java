package dev.duplex.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.protocol.FrameTrace.Direction;
import dev.duplex.protocol.extension.deflate.DeflateOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link Connection#frameObserver}: every frame read or written, with its header bits, length and close code. */
class FrameObserverTest {
    private static final int RSV1 = 0x40;
    private static final int RSV2 = 0x20;

    private static List<FrameTrace> observe(Endpoint endpoint) {
        List<FrameTrace> traces = new ArrayList<>();
        endpoint.connection.frameObserver(traces::add);
        return traces;
    }

    private static FrameTrace in(boolean fin, int opcode, boolean masked, long length) {
        return new FrameTrace(Direction.IN, fin, false, false, false, opcode, masked, length, FrameTrace.NO_CLOSE_CODE, null);
    }

    private static FrameTrace out(boolean fin, int opcode, boolean masked, long length) {
        return new FrameTrace(Direction.OUT, fin, false, false, false, opcode, masked, length, FrameTrace.NO_CLOSE_CODE, null);
    }

    private static FrameTrace close(Direction direction, boolean masked, long length, int code, String reason) {
        return new FrameTrace(direction, true, false, false, false, 0x8, masked, length, code, reason);
    }

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("Server: a client's masked text and binary frames come in masked; its own replies go out unmasked")
    void serverSeesMaskedInAndUnmaskedOut() {
        Endpoint server = Endpoint.server();
        List<FrameTrace> traces = observe(server);
        server.receive(RawFrames.text("Hello").masked().bytes(), RawFrames.binary(new byte[300]).masked().bytes());
        server.connection.sendText("Hi", server.out);
        server.connection.sendBinary(ByteBuffer.allocate(70_000), server.out);
        server.connection.sendTextUtf8(bytes("héllo"), server.out);
        assertThat(traces).containsExactly(
                in(true, 0x1, true, 5),
                in(true, 0x2, true, 300),
                out(true, 0x1, false, 2),
                out(true, 0x2, false, 70_000),
                out(true, 0x1, false, 6));
        FrameTrace first = traces.get(0);
        assertThat(first.direction()).isEqualTo(Direction.IN);
        assertThat(first.opcodeName()).isEqualTo("text");
        assertThat(traces.get(1).opcodeName()).isEqualTo("binary");
        assertThat(first.isControl()).isFalse();
        assertThat(first.closeCode()).isEqualTo(-1);
        assertThat(first.closeReason()).isNull();
    }

    @Test
    @DisplayName("Client: its frames go out masked (text, binary, ping, pong, close); the server's come in unmasked")
    void clientMasksEveryFrameItWrites() {
        Endpoint client = Endpoint.client();
        List<FrameTrace> traces = observe(client);
        client.connection.sendText("Hello", client.out);
        client.connection.sendBinary(bytes("abc"), client.out);
        client.connection.sendPing(bytes("p"), client.out);
        client.connection.sendPong(bytes(""), client.out);
        client.receive(RawFrames.text("echo").bytes(), RawFrames.pong("p".getBytes(StandardCharsets.UTF_8)).bytes());
        client.connection.sendClose(1001, "going", client.out);
        assertThat(traces).containsExactly(
                out(true, 0x1, true, 5),
                out(true, 0x2, true, 3),
                out(true, 0x9, true, 1),
                out(true, 0xA, true, 0),
                in(true, 0x1, false, 4),
                in(true, 0xA, false, 1),
                close(Direction.OUT, true, 7, 1001, "going"));
        assertThat(traces.get(2).opcodeName()).isEqualTo("ping");
        assertThat(traces.get(2).isControl()).isTrue();
        assertThat(traces.get(3).opcodeName()).isEqualTo("pong");
        assertThat(traces.get(6).opcodeName()).isEqualTo("close");
        // The traced mask bit is the written one.
        assertThat(client.writtenFrames()).allSatisfy(f -> assertThat(f.masked()).isTrue());
    }

    @Test
    @DisplayName("Fragmented messages: each frame in and out with its FIN bit and continuation opcode; a ping in between")
    void fragmentedMessages() {
        Endpoint server = Endpoint.server();
        List<FrameTrace> traces = observe(server);
        server.receive(RawFrames.text("Hel").fin(false).masked().bytes(),
                RawFrames.ping(new byte[] {7}).masked().bytes(),
                RawFrames.continuation("l".getBytes(StandardCharsets.UTF_8)).fin(false).masked().bytes(),
                RawFrames.continuation("o".getBytes(StandardCharsets.UTF_8)).masked().bytes());
        server.written(); // the automatic pong
        server.connection.sendPart(false, ByteBuffer.allocate(10), false, server.out);
        server.connection.sendPart(false, ByteBuffer.allocate(0), false, server.out);
        server.connection.sendPart(false, ByteBuffer.allocate(4), true, server.out);
        assertThat(traces).containsExactly(
                in(false, 0x1, true, 3),
                in(true, 0x9, true, 1),
                out(true, 0xA, false, 1),   // the engine's automatic pong, right after the ping
                in(false, 0x0, true, 1),
                in(true, 0x0, true, 1),
                out(false, 0x2, false, 10),
                out(false, 0x0, false, 0),
                out(true, 0x0, false, 4));
        assertThat(traces.get(3).opcodeName()).isEqualTo("continuation");
        assertThat(server.events.takeAll()).contains(EventRecorder.text("Hello"));
    }

    @Test
    @DisplayName("Close from the peer: reported once complete, with code and reason, before the engine's reply (which echoes the code)")
    void closeFromThePeerWithCodeAndReason() {
        Endpoint client = Endpoint.client();
        List<FrameTrace> traces = observe(client);
        // Split byte by byte: still one trace, once the payload is complete.
        client.receiveByteByByte(RawFrames.close(1000, "bye").bytes());
        assertThat(traces).containsExactly(
                close(Direction.IN, false, 5, 1000, "bye"),
                close(Direction.OUT, true, 2, 1000, ""));
        assertThat(client.state()).isEqualTo(Connection.State.CLOSED);
    }

    @Test
    @DisplayName("Close started locally: our Close with code and reason out; the peer's empty Close in without a code")
    void closeStartedLocally() {
        Endpoint server = Endpoint.server();
        List<FrameTrace> traces = observe(server);
        server.connection.sendClose(4000, "ciao", server.out);
        server.receive(RawFrames.close().masked().bytes());
        assertThat(traces).containsExactly(
                close(Direction.OUT, false, 6, 4000, "ciao"),
                close(Direction.IN, true, 0, FrameTrace.NO_CLOSE_CODE, null));
    }

    @Test
    @DisplayName("An empty Close from the peer is answered with an empty Close; both traced without a code")
    void emptyCloseBothWays() {
        Endpoint server = Endpoint.server();
        List<FrameTrace> traces = observe(server);
        server.receive(RawFrames.close().masked().bytes());
        assertThat(traces).containsExactly(
                close(Direction.IN, true, 0, FrameTrace.NO_CLOSE_CODE, null),
                close(Direction.OUT, false, 0, FrameTrace.NO_CLOSE_CODE, null));
    }

    @Test
    @DisplayName("A protocol error: the offending frame, the engine's 1002 Close with its reason, then the peer's Close")
    void protocolErrorCloseIsTraced() {
        Endpoint server = Endpoint.server();
        List<FrameTrace> traces = observe(server);
        server.receive(RawFrames.continuation(new byte[] {'x'}).masked().bytes(), RawFrames.close(1002, "").masked().bytes());
        assertThat(traces).hasSize(3);
        assertThat(traces.get(0)).isEqualTo(in(true, 0x0, true, 1));
        assertThat(traces.get(1).direction()).isEqualTo(Direction.OUT);
        assertThat(traces.get(1).closeCode()).isEqualTo(1002);
        assertThat(traces.get(1).closeReason()).startsWith("Continuation frame without a message");
        assertThat(traces.get(1).payloadLength()).isEqualTo(2 + traces.get(1).closeReason().getBytes(StandardCharsets.UTF_8).length);
        assertThat(traces.get(2)).isEqualTo(close(Direction.IN, true, 2, 1002, ""));
    }

    @Test
    @DisplayName("A header the parser refuses (an unclaimed RSV bit) is not traced; the 1002 Close and what the peer sends after are")
    void headerRefusedByTheParser() {
        Endpoint client = Endpoint.client();
        List<FrameTrace> traces = observe(client);
        client.receive(RawFrames.frame(0x1).rsv(RSV2).payload("x").bytes(), RawFrames.ping(new byte[0]).bytes(),
                RawFrames.close(1002, "").bytes());
        assertThat(traces).hasSize(3);
        assertThat(traces.get(0).closeCode()).isEqualTo(1002);
        assertThat(traces.get(0).masked()).isTrue();
        assertThat(traces.get(1)).isEqualTo(in(true, 0x9, false, 0)); // ignored after our Close, but on the wire
        assertThat(traces.get(2)).isEqualTo(close(Direction.IN, false, 2, 1002, ""));
    }

    @Test
    @DisplayName("A sent prepared frame is traced like any other")
    void preparedFrame() {
        Endpoint server = Endpoint.server();
        List<FrameTrace> traces = observe(server);
        server.connection.sendPrepared(PreparedFrame.textUtf8(bytes("fan-out")), server.out);
        server.connection.sendPrepared(PreparedFrame.binary(ByteBuffer.allocate(200)), server.out);
        assertThat(traces).containsExactly(out(true, 0x1, false, 7), out(true, 0x2, false, 200));
    }

    @Test
    @DisplayName("Compressed messages both ways: RSV1 on the first frame, the compressed length as on the wire")
    void compressedFrames() {
        DeflateOptions options = DeflateOptions.defaults().withThresholdBytes(16);
        Peers peers = Compression.peers(Limits.defaults(), options, options);
        List<FrameTrace> client = observe(peers.client);
        List<FrameTrace> server = observe(peers.server);
        String text = "compress me, compress me, compress me, compress me, compress me";

        peers.client.connection.sendText(text, peers.client.out);
        byte[] wire = peers.clientToServer();
        RawFrames.Frame sent = RawFrames.decode(wire).get(0);
        assertThat(sent.rsv()).isEqualTo(RSV1);
        assertThat(sent.payload().length).isLessThan(text.length());
        FrameTrace compressedOut = new FrameTrace(Direction.OUT, true, true, false, false, 0x1, true, sent.payload().length,
                FrameTrace.NO_CLOSE_CODE, null);
        assertThat(client).containsExactly(compressedOut);
        assertThat(server).containsExactly(new FrameTrace(Direction.IN, true, true, false, false, 0x1, true,
                sent.payload().length, FrameTrace.NO_CLOSE_CODE, null));
        assertThat(peers.server.events.takeAll()).containsExactly(EventRecorder.text(text));

        client.clear();
        server.clear();
        // Server to client, in parts: RSV1 only on the first frame.
        peers.server.connection.sendPart(false, bytes(text), false, peers.server.out);
        peers.server.connection.sendPart(false, bytes(text), true, peers.server.out);
        List<RawFrames.Frame> frames = RawFrames.decode(peers.serverToClient());
        assertThat(frames).hasSize(2);
        assertThat(server).containsExactly(
                new FrameTrace(Direction.OUT, false, true, false, false, 0x2, false, frames.get(0).payload().length, -1, null),
                new FrameTrace(Direction.OUT, true, false, false, false, 0x0, false, frames.get(1).payload().length, -1, null));
        assertThat(client).containsExactly(
                new FrameTrace(Direction.IN, false, true, false, false, 0x2, false, frames.get(0).payload().length, -1, null),
                new FrameTrace(Direction.IN, true, false, false, false, 0x0, false, frames.get(1).payload().length, -1, null));

        // Below the threshold, or opted out: no RSV1, plain length.
        client.clear();
        peers.client.connection.sendText("tiny", peers.client.out);
        peers.client.connection.sendText(text, false, peers.client.out);
        assertThat(client).containsExactly(out(true, 0x1, true, 4), out(true, 0x1, true, text.length()));
    }

    @Test
    @DisplayName("No observer by default; null stops observing")
    void nullStops() {
        Endpoint server = Endpoint.server();
        assertThat(server.connection.frameObserver()).isNull();
        List<FrameTrace> traces = observe(server);
        server.receive(RawFrames.ping(new byte[0]).masked().bytes());
        assertThat(traces).hasSize(2);
        server.connection.frameObserver(null);
        server.receive(RawFrames.ping(new byte[0]).masked().bytes());
        server.connection.sendText("quiet", server.out);
        assertThat(traces).hasSize(2);
    }

    @Test
    @DisplayName("opcodeName names reserved opcodes by value")
    void reservedOpcodeName() {
        assertThat(new FrameTrace(Direction.IN, true, false, false, false, 0x3, false, 0, -1, null).opcodeName())
                .isEqualTo("reserved-0x3");
        assertThat(new FrameTrace(Direction.IN, true, false, false, false, 0xB, false, 0, -1, null).isControl()).isTrue();
    }
}
