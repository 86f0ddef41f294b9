package dev.duplex.protocol.rfc6455;

import static dev.duplex.protocol.EventRecorder.ping;
import static dev.duplex.protocol.EventRecorder.pong;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duplex.protocol.CloseCodes;
import dev.duplex.protocol.Connection;
import dev.duplex.protocol.Endpoint;
import dev.duplex.protocol.Hex;
import dev.duplex.protocol.RawFrames;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 6455 §5.5 "Control Frames": ping, pong and the size and fragmentation rules. */
class Section5_5_ControlFramesTest {

    @Test
    @DisplayName("Autobahn 2.1: an empty ping is answered with an empty pong")
    void emptyPingGetsEmptyPong() {
        Endpoint server = Endpoint.server().receive(RawFrames.ping(new byte[0]).masked().bytes());
        assertThat(server.events.take()).isEqualTo(ping(new byte[0]));
        server.events.assertExhausted();
        assertThat(Hex.of(server.written())).isEqualTo("8a 00");
    }

    @Test
    @DisplayName("Autobahn 2.2: a ping is answered with a pong carrying the same payload, queued automatically")
    void pingGetsPongWithTheSamePayload() {
        Endpoint server = Endpoint.server().receive(RawFrames.ping("Hello, world!".getBytes()).masked().bytes());
        assertThat(server.events.take()).isEqualTo(ping("Hello, world!".getBytes()));
        assertThat(Hex.of(server.written())).isEqualTo("8a 0d " + Hex.of("Hello, world!".getBytes()));
    }

    @Test
    @DisplayName("Autobahn 2.3: binary ping payload is echoed byte for byte")
    void binaryPingPayloadIsEchoed() {
        byte[] payload = {0x00, (byte) 0xff, (byte) 0xfe, (byte) 0xfd, (byte) 0xfc, (byte) 0xfb, 0x00, (byte) 0xff};
        Endpoint server = Endpoint.server().receive(RawFrames.ping(payload).masked().bytes());
        assertThat(server.events.take()).isEqualTo(ping(payload));
        assertThat(server.writtenFrames()).singleElement().satisfies(f -> {
            assertThat(f.opcode()).isEqualTo(0xA);
            assertThat(f.payload()).isEqualTo(payload);
        });
    }

    @Test
    @DisplayName("Autobahn 2.4: a ping of 125 bytes is allowed and answered")
    void pingOf125BytesIsAnswered() {
        byte[] payload = Section5_7_ExamplesTest.pattern(125);
        Endpoint server = Endpoint.server().receive(RawFrames.ping(payload).masked().bytes());
        assertThat(server.events.take()).isEqualTo(ping(payload));
        assertThat(server.writtenFrames()).singleElement().extracting(RawFrames.Frame::payload).isEqualTo(payload);
    }

    @ParameterizedTest(name = "Autobahn 2.5: a control frame (opcode {0}) of 126 bytes → 1002, no pong")
    @ValueSource(ints = {0x8, 0x9, 0xA})
    void controlFrameOf126BytesIs1002(int opcode) {
        Endpoint server = Endpoint.server().receive(RawFrames.frame(opcode).payload(new byte[126]).masked().bytes());
        assertThat(server.events.takeErrorCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
        server.events.assertExhausted();
        assertThat(server.writtenFrames()).singleElement().satisfies(f -> {
            assertThat(f.opcode()).isEqualTo(0x8);
            assertThat(f.closeCode()).isEqualTo(1002);
        });
    }

    @Test
    @DisplayName("RELIABILITY F4: 89 FE 00 7E + mask + 126 bytes is refused at the header")
    void oversizedPingIsRefusedAtTheHeader() {
        Endpoint server = Endpoint.server().receiveHex("89 fe 00 7e 01 02 03 04");
        assertThat(server.events.takeErrorCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
        server.receive(new byte[126]);
        server.events.assertExhausted();
    }

    @ParameterizedTest(name = "Autobahn 5.1/5.2: a fragmented control frame (opcode {0}) → 1002")
    @ValueSource(ints = {0x8, 0x9, 0xA})
    void fragmentedControlFrameIs1002(int opcode) {
        Endpoint server = Endpoint.server().receive(
                RawFrames.frame(opcode).payload("frag").fin(false).masked().bytes(),
                RawFrames.continuation("ment".getBytes()).masked().bytes());
        assertThat(server.events.takeErrorCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
        server.events.assertExhausted();
        assertThat(server.writtenFrames()).extracting(RawFrames.Frame::opcode).containsExactly(0x8);
    }

    @Test
    @DisplayName("Autobahn 2.7: an unsolicited pong is reported and otherwise ignored")
    void unsolicitedPongIsIgnored() {
        Endpoint server = Endpoint.server().receive(RawFrames.pong("unsolicited".getBytes()).masked().bytes());
        assertThat(server.events.take()).isEqualTo(pong("unsolicited".getBytes()));
        server.events.assertExhausted();
        assertThat(server.written()).isEmpty();
        assertThat(server.state()).isEqualTo(Connection.State.OPEN);
    }

    @Test
    @DisplayName("Autobahn 2.10: ten pings in one read get ten pongs, in order")
    void manyPingsGetPongsInOrder() {
        byte[][] frames = new byte[10][];
        for (int i = 0; i < 10; i++) {
            frames[i] = RawFrames.ping(("payload-" + i).getBytes()).masked().bytes();
        }
        Endpoint server = Endpoint.server().receive(RawFrames.concat(frames));
        List<RawFrames.Frame> pongs = server.writtenFrames();
        assertThat(pongs).hasSize(10);
        for (int i = 0; i < 10; i++) {
            assertThat(server.events.take()).isEqualTo(ping(("payload-" + i).getBytes()));
            assertThat(pongs.get(i).opcode()).isEqualTo(0xA);
            assertThat(pongs.get(i).text()).isEqualTo("payload-" + i);
        }
    }

    @Test
    void aClientAnswersPingsWithMaskedPongs() {
        Endpoint client = Endpoint.client().receive(RawFrames.ping(new byte[] {9, 8, 7}).bytes());
        assertThat(client.events.take()).isEqualTo(ping(new byte[] {9, 8, 7}));
        assertThat(client.writtenFrames()).singleElement().satisfies(f -> {
            assertThat(f.masked()).isTrue();
            assertThat(f.opcode()).isEqualTo(0xA);
            assertThat(f.payload()).containsExactly(9, 8, 7);
        });
    }

    @Test
    @DisplayName("After sending our Close, a ping gets no pong (nothing may follow our Close)")
    void noPongAfterOurClose() {
        Endpoint server = Endpoint.server();
        server.connection.sendClose(CloseCodes.NORMAL, "", server.out);
        server.written();
        server.receive(RawFrames.ping("late".getBytes()).masked().bytes());
        assertThat(server.written()).isEmpty();
    }

    @Test
    void sendingAPingOrPongOver125BytesIsRefused() {
        Endpoint server = Endpoint.server();
        assertThatThrownBy(() -> server.connection.sendPing(ByteBuffer.allocate(126), server.out)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> server.connection.sendPong(ByteBuffer.allocate(126), server.out)).isInstanceOf(IllegalArgumentException.class);
        assertThat(server.written()).isEmpty();
        server.connection.sendPing(ByteBuffer.allocate(125), server.out);
        server.connection.sendPong(ByteBuffer.allocate(125), server.out);
        assertThat(server.writtenFrames()).extracting(RawFrames.Frame::opcode).containsExactly(0x9, 0xA);
    }

    @Test
    void sendingAPingDoesNotConsumeTheCallersBuffer() {
        Endpoint server = Endpoint.server();
        ByteBuffer payload = ByteBuffer.wrap(new byte[] {1, 2, 3});
        server.connection.sendPing(payload, server.out);
        assertThat(payload.remaining()).isEqualTo(3);
    }
}
