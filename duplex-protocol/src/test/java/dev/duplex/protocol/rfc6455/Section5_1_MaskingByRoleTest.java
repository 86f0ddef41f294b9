package dev.duplex.protocol.rfc6455;

import static dev.duplex.protocol.EventRecorder.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duplex.protocol.ByteOutput;
import dev.duplex.protocol.CloseCodes;
import dev.duplex.protocol.Connection;
import dev.duplex.protocol.Endpoint;
import dev.duplex.protocol.Hex;
import dev.duplex.protocol.Limits;
import dev.duplex.protocol.RawFrames;
import dev.duplex.protocol.Role;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** RFC 6455 §5.1 and §5.3: clients mask every frame, servers none; each side rejects the other's mistake. */
class Section5_1_MaskingByRoleTest {

    @Test
    @DisplayName("A server fails the connection with 1002 on an unmasked client frame (81 05 68 65 6C 6C 6F)")
    void serverRejectsAnUnmaskedFrame() {
        Endpoint server = Endpoint.server().receiveHex("81 05 68 65 6C 6C 6F");
        assertThat(server.events.takeErrorCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
        server.events.assertExhausted();
        assertThat(server.writtenFrames()).singleElement().satisfies(f -> {
            assertThat(f.opcode()).isEqualTo(0x8);
            assertThat(f.masked()).isFalse();
            assertThat(f.closeCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
        });
    }

    @Test
    void serverRejectsAnUnmaskedControlFrameToo() {
        Endpoint server = Endpoint.server().receive(RawFrames.ping(new byte[] {1}).bytes());
        assertThat(server.events.takeErrorCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
        server.events.assertExhausted();
        assertThat(server.writtenFrames()).extracting(RawFrames.Frame::opcode).containsExactly(0x8); // no pong
    }

    @Test
    @DisplayName("A client fails the connection with 1002 on a masked server frame")
    void clientRejectsAMaskedFrame() {
        Endpoint client = Endpoint.client().receive(RawFrames.text("hello").masked().bytes());
        assertThat(client.events.takeErrorCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
        client.events.assertExhausted();
        List<RawFrames.Frame> frames = client.writtenFrames();
        assertThat(frames).singleElement().satisfies(f -> {
            assertThat(f.masked()).as("a client's Close is masked too").isTrue();
            assertThat(f.closeCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
        });
    }

    @Test
    void serverUnmasksAMaskedFrameWithAnyKey() {
        for (int key : new int[] {0, 0xFFFFFFFF, 0x01020304, 0x80000000}) {
            Endpoint server = Endpoint.server().receive(RawFrames.text("masked payload, longer than eight bytes").mask(key).bytes());
            assertThat(server.events.take()).isEqualTo(text("masked payload, longer than eight bytes"));
            server.events.assertExhausted();
        }
    }

    @Test
    @DisplayName("Every frame a client writes is masked, including control frames")
    void clientMasksEveryFrame() {
        Endpoint client = Endpoint.client();
        client.connection.sendText("a", client.out);
        client.connection.sendBinary(ByteBuffer.wrap(new byte[300]), client.out);
        client.connection.sendPart(true, ByteBuffer.wrap(new byte[] {'x'}), false, client.out);
        client.connection.sendPart(true, ByteBuffer.wrap(new byte[] {'y'}), true, client.out);
        client.connection.sendPing(ByteBuffer.wrap(new byte[] {1, 2}), client.out);
        client.connection.sendPong(ByteBuffer.wrap(new byte[] {3}), client.out);
        client.connection.sendClose(CloseCodes.NORMAL, "bye", client.out);
        List<RawFrames.Frame> frames = client.writtenFrames();
        assertThat(frames).hasSize(7).allSatisfy(f -> assertThat(f.masked()).isTrue());
        assertThat(frames.get(0).text()).isEqualTo("a");
        assertThat(frames.get(1).payload()).isEqualTo(new byte[300]);
        assertThat(frames.get(6).closeReason()).isEqualTo("bye");
    }

    @Test
    @DisplayName("A client takes a fresh mask key from its source for every frame")
    void clientUsesAFreshKeyPerFrame() {
        Endpoint client = Endpoint.client();
        for (int i = 0; i < 100; i++) {
            client.connection.sendText("same text", client.out);
        }
        Set<Integer> keys = new HashSet<>();
        for (RawFrames.Frame frame : client.writtenFrames()) {
            assertThat(frame.text()).isEqualTo("same text");
            keys.add(frame.maskKey());
        }
        assertThat(keys).hasSize(100);
    }

    @Test
    void everyFrameAServerWritesIsUnmasked() {
        Endpoint server = Endpoint.server();
        server.connection.sendText("a", server.out);
        server.connection.sendBinary(ByteBuffer.wrap(new byte[70_000]), server.out);
        server.connection.sendPing(ByteBuffer.allocate(0), server.out);
        server.connection.sendClose(CloseCodes.GOING_AWAY, "", server.out);
        assertThat(server.writtenFrames()).hasSize(4).allSatisfy(f -> assertThat(f.masked()).isFalse());
    }

    @Test
    void aClientCannotBeBuiltWithoutAMaskSource() {
        assertThatThrownBy(() -> new Connection(Role.CLIENT, Limits.defaults(), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mask");
    }

    @Test
    void aServerNeedsNoMaskSource() {
        Connection server = new Connection(Role.SERVER, Limits.defaults(), null);
        server.sendText("fine", new ByteOutput(16, false));
        assertThat(server.role()).isEqualTo(Role.SERVER);
    }

    @Test
    void theMaskedFrameIsNotTheClearText() {
        Endpoint client = Endpoint.client();
        client.connection.sendText("Hello, proxy cache", client.out);
        byte[] wire = client.written();
        assertThat(new String(wire, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("proxy");
        assertThat(Hex.of(wire)).startsWith("81 92");
    }
}
