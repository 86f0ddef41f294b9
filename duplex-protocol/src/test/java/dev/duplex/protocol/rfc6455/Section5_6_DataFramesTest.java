package dev.duplex.protocol.rfc6455;

import static dev.duplex.protocol.EventRecorder.binary;
import static dev.duplex.protocol.EventRecorder.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duplex.protocol.CloseCodes;
import dev.duplex.protocol.Endpoint;
import dev.duplex.protocol.Peers;
import dev.duplex.protocol.RawFrames;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 6455 §5.6 "Data Frames": text is UTF-8, binary is arbitrary; and the sending API. */
class Section5_6_DataFramesTest {

    @Test
    @DisplayName("Autobahn 1.1.1: an empty text message is delivered")
    void emptyTextMessage() {
        Endpoint server = Endpoint.server().receive(RawFrames.text("").masked().bytes());
        assertThat(server.events.take()).isEqualTo(text(""));
        server.events.assertExhausted();
    }

    @Test
    @DisplayName("Autobahn 1.2.1: an empty binary message is delivered")
    void emptyBinaryMessage() {
        Endpoint server = Endpoint.server().receive(RawFrames.binary(new byte[0]).masked().bytes());
        assertThat(server.events.take()).isEqualTo(binary(new byte[0]));
        server.events.assertExhausted();
    }

    @ParameterizedTest(name = "Autobahn 1.1.x: text of {0} bytes")
    @ValueSource(ints = {1, 125, 126, 127, 128, 65535, 65536})
    void textOfEveryLengthClass(int length) {
        String payload = "*".repeat(length);
        Endpoint server = Endpoint.server().receive(RawFrames.text(payload).masked().bytes());
        assertThat(server.events.take()).isEqualTo(text(payload));
        server.events.assertExhausted();
    }

    @Test
    @DisplayName("Autobahn 6.2.1: valid multi-byte UTF-8 text is delivered")
    void multiByteTextIsDelivered() {
        String payload = "Hello-µ@ßöäüàá-UTF-8!! κόσμε 𝄞";
        Endpoint server = Endpoint.server().receive(RawFrames.text(payload).masked().bytes());
        assertThat(server.events.take()).isEqualTo(text(payload));
    }

    @Test
    @DisplayName("Binary payloads may hold any byte, including invalid UTF-8")
    void binaryMayHoldAnyByte() {
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        Endpoint server = Endpoint.server().receive(RawFrames.binary(all).masked().bytes());
        assertThat(server.events.take()).isEqualTo(binary(all));
        server.events.assertExhausted();
    }

    @Test
    void sendTextWritesOneFinalTextFrameOfUtf8() {
        Endpoint server = Endpoint.server();
        server.connection.sendText("κόσμε 𝄞", server.out);
        assertThat(server.writtenFrames()).singleElement().satisfies(f -> {
            assertThat(f.fin()).isTrue();
            assertThat(f.rsv()).isZero();
            assertThat(f.opcode()).isEqualTo(0x1);
            assertThat(f.payload()).isEqualTo("κόσμε 𝄞".getBytes(StandardCharsets.UTF_8));
        });
    }

    @Test
    void sendTextWithAnUnpairedSurrogateIsRefusedAndWritesNothing() {
        Endpoint server = Endpoint.server();
        assertThatThrownBy(() -> server.connection.sendText("bad \uD800 text", server.out)).isInstanceOf(IllegalArgumentException.class);
        assertThat(server.written()).isEmpty();
    }

    @Test
    void sendBinaryNeitherModifiesNorConsumesTheSource() {
        Endpoint client = Endpoint.client();
        byte[] data = Section5_7_ExamplesTest.pattern(100);
        ByteBuffer source = ByteBuffer.wrap(data.clone());
        client.connection.sendBinary(source, client.out);
        assertThat(source.position()).isZero();
        assertThat(source.array()).isEqualTo(data);
        assertThat(client.writtenFrames()).singleElement().extracting(RawFrames.Frame::payload).isEqualTo(data);
    }

    @Test
    void sendBinarySendsOnlyTheRemainingBytes() {
        Endpoint server = Endpoint.server();
        ByteBuffer source = ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6});
        source.position(2).limit(5);
        server.connection.sendBinary(source, server.out);
        assertThat(server.writtenFrames()).singleElement().extracting(RawFrames.Frame::payload).isEqualTo(new byte[] {3, 4, 5});
    }

    @Test
    void sendTextUtf8WritesTheBytesAsGiven() {
        Endpoint server = Endpoint.server();
        server.connection.sendTextUtf8(ByteBuffer.wrap("echo ✓".getBytes(StandardCharsets.UTF_8)), server.out);
        assertThat(server.writtenFrames()).singleElement().satisfies(f -> {
            assertThat(f.opcode()).isEqualTo(0x1);
            assertThat(f.text()).isEqualTo("echo ✓");
        });
    }

    @Test
    @DisplayName("sendPart: the first frame carries the type, the rest are continuations, FIN only on the last")
    void sendPartWritesAFragmentedMessage() {
        Endpoint client = Endpoint.client();
        client.connection.sendPart(false, ByteBuffer.wrap(new byte[] {1}), false, client.out);
        client.connection.sendPing(ByteBuffer.wrap(new byte[] {9}), client.out);
        client.connection.sendPart(false, ByteBuffer.wrap(new byte[] {2}), false, client.out);
        client.connection.sendPart(false, ByteBuffer.wrap(new byte[] {3}), true, client.out);
        client.connection.sendPart(true, ByteBuffer.wrap(new byte[] {'a'}), true, client.out);
        List<RawFrames.Frame> frames = client.writtenFrames();
        assertThat(frames).extracting(RawFrames.Frame::opcode).containsExactly(0x2, 0x9, 0x0, 0x0, 0x1);
        assertThat(frames).extracting(RawFrames.Frame::fin).containsExactly(false, true, false, true, true);
    }

    @Test
    void sendPartOfTheOtherTypeMidMessageIsRefused() {
        Endpoint server = Endpoint.server();
        server.connection.sendPart(true, ByteBuffer.wrap(new byte[] {'a'}), false, server.out);
        server.written();
        assertThatThrownBy(() -> server.connection.sendPart(false, ByteBuffer.wrap(new byte[] {1}), true, server.out))
                .isInstanceOf(IllegalStateException.class);
        assertThat(server.written()).isEmpty();
    }

    @Test
    void partsSentByOnePeerArriveAsOneMessageAtTheOther() {
        Peers peers = new Peers();
        byte[] utf8 = "ab€cd".getBytes(StandardCharsets.UTF_8);
        // Split inside the euro sign: parts of a text message need not end on a character boundary.
        peers.client.connection.sendPart(true, ByteBuffer.wrap(utf8, 0, 3), false, peers.client.out);
        peers.client.connection.sendPart(true, ByteBuffer.wrap(utf8, 3, utf8.length - 3), true, peers.client.out);
        peers.clientToServer();
        assertThat(peers.server.events.take()).isEqualTo(text("ab€cd"));
        peers.server.events.assertExhausted();
    }

    @Test
    void dataCannotBeSentAfterClose() {
        Endpoint server = Endpoint.server();
        server.connection.sendClose(CloseCodes.NORMAL, "", server.out);
        server.written();
        assertThatThrownBy(() -> server.connection.sendText("x", server.out)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> server.connection.sendBinary(ByteBuffer.allocate(1), server.out)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> server.connection.sendTextUtf8(ByteBuffer.allocate(1), server.out)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> server.connection.sendPart(true, ByteBuffer.allocate(1), true, server.out)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> server.connection.sendPing(ByteBuffer.allocate(1), server.out)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> server.connection.sendClose(CloseCodes.NORMAL, "", server.out)).isInstanceOf(IllegalStateException.class);
        assertThat(server.written()).isEmpty();
    }

    @Test
    @DisplayName("A message delivered whole is a view valid during the callback: a second message does not corrupt a copy")
    void consecutiveMessagesInOneReadAreDistinct() {
        Endpoint server = Endpoint.server().receive(RawFrames.concat(
                RawFrames.text("first").masked().bytes(),
                RawFrames.binary(new byte[] {1, 2}).masked().bytes(),
                RawFrames.text("third").masked().bytes()));
        assertThat(server.events.takeAll()).containsExactly(text("first"), binary(new byte[] {1, 2}), text("third"));
    }
}
