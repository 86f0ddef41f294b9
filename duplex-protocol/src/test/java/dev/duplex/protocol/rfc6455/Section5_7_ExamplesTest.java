package dev.duplex.protocol.rfc6455;

import static dev.duplex.protocol.EventRecorder.binary;
import static dev.duplex.protocol.EventRecorder.ping;
import static dev.duplex.protocol.EventRecorder.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.protocol.ByteOutput;
import dev.duplex.protocol.Connection;
import dev.duplex.protocol.Endpoint;
import dev.duplex.protocol.EventRecorder;
import dev.duplex.protocol.FixedMask;
import dev.duplex.protocol.Hex;
import dev.duplex.protocol.Limits;
import dev.duplex.protocol.Role;
import dev.duplex.protocol.handshake.AcceptKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** RFC 6455 §5.7 "Examples" (and the §1.3 key), byte for byte, in both directions. */
class Section5_7_ExamplesTest {
    static final String UNMASKED_HELLO = "81 05 48 65 6c 6c 6f";
    static final String MASKED_HELLO = "81 85 37 fa 21 3d 7f 9f 4d 51 58";
    static final String FRAGMENT_1 = "01 03 48 65 6c";
    static final String FRAGMENT_2 = "80 02 6c 6f";
    static final String UNMASKED_PING = "89 05 48 65 6c 6c 6f";
    static final String MASKED_PONG = "8a 85 37 fa 21 3d 7f 9f 4d 51 58";
    static final int RFC_MASK_KEY = 0x37fa213d;

    private static final byte[] HELLO = "Hello".getBytes(StandardCharsets.US_ASCII);

    @Test
    @DisplayName("A single-frame unmasked text message: 81 05 48 65 6c 6c 6f")
    void singleFrameUnmaskedTextIsReadByAClient() {
        Endpoint client = Endpoint.client().receiveHex(UNMASKED_HELLO);
        assertThat(client.events.take()).isEqualTo(text("Hello"));
        client.events.assertExhausted();
    }

    @Test
    void aServerWritesTheUnmaskedHelloExactly() {
        Endpoint server = Endpoint.server();
        server.connection.sendText("Hello", server.out);
        assertThat(Hex.of(server.written())).isEqualTo(UNMASKED_HELLO);
    }

    @Test
    @DisplayName("A single-frame masked text message: 81 85 37 fa 21 3d 7f 9f 4d 51 58")
    void singleFrameMaskedTextIsReadByAServer() {
        Endpoint server = Endpoint.server().receiveHex(MASKED_HELLO);
        assertThat(server.events.take()).isEqualTo(text("Hello"));
        server.events.assertExhausted();
        assertThat(server.written()).isEmpty();
    }

    @Test
    void aClientWithTheRfcMaskKeyWritesTheMaskedHelloExactly() {
        ByteOutput out = new ByteOutput(64, false);
        Connection client = new Connection(Role.CLIENT, Limits.defaults(), new FixedMask(RFC_MASK_KEY));
        client.sendText("Hello", out);
        assertThat(Hex.of(bytes(out))).isEqualTo(MASKED_HELLO);

        client.sendBinary(ByteBuffer.wrap(HELLO), out);
        assertThat(Hex.of(bytes(out))).isEqualTo("82 85 37 fa 21 3d 7f 9f 4d 51 58");
    }

    @Test
    @DisplayName("A fragmented unmasked text message: 01 03 48 65 6c + 80 02 6c 6f")
    void fragmentedUnmaskedTextIsAssembled() {
        Endpoint client = Endpoint.client().receiveHex(FRAGMENT_1);
        client.events.assertExhausted(); // not complete yet
        client.receiveHex(FRAGMENT_2);
        assertThat(client.events.take()).isEqualTo(text("Hello"));
        client.events.assertExhausted();
    }

    @Test
    void aServerSendingPartsWritesTheRfcFragmentsExactly() {
        Endpoint server = Endpoint.server();
        server.connection.sendPart(true, ByteBuffer.wrap("Hel".getBytes(StandardCharsets.US_ASCII)), false, server.out);
        server.connection.sendPart(true, ByteBuffer.wrap("lo".getBytes(StandardCharsets.US_ASCII)), true, server.out);
        assertThat(Hex.of(server.written())).isEqualTo(FRAGMENT_1 + " " + FRAGMENT_2);
    }

    @Test
    @DisplayName("Unmasked ping 89 05 … is answered by the masked pong 8a 85 37 fa 21 3d …")
    void unmaskedPingIsAnsweredWithTheRfcMaskedPong() {
        ByteOutput out = new ByteOutput(64, false);
        EventRecorder events = new EventRecorder();
        Connection client = new Connection(Role.CLIENT, Limits.defaults(), new FixedMask(RFC_MASK_KEY));
        client.receive(ByteBuffer.wrap(Hex.parse(UNMASKED_PING)), out, events);
        assertThat(events.take()).isEqualTo(ping(HELLO));
        events.assertExhausted();
        assertThat(Hex.of(bytes(out))).isEqualTo(MASKED_PONG);
    }

    @Test
    void aServerWritesTheUnmaskedPingExactly() {
        Endpoint server = Endpoint.server();
        server.connection.sendPing(ByteBuffer.wrap(HELLO), server.out);
        assertThat(Hex.of(server.written())).isEqualTo(UNMASKED_PING);
    }

    @Test
    @DisplayName("256 bytes binary in a single unmasked frame: header 82 7e 01 00")
    void binary256UsesTheSixteenBitLength() {
        byte[] payload = pattern(256);
        Endpoint server = Endpoint.server();
        server.connection.sendBinary(ByteBuffer.wrap(payload), server.out);
        byte[] frame = server.written();
        assertThat(Hex.of(Arrays.copyOf(frame, 4))).isEqualTo("82 7e 01 00");
        assertThat(Arrays.copyOfRange(frame, 4, frame.length)).isEqualTo(payload);

        Endpoint client = Endpoint.client().receive(frame);
        assertThat(client.events.take()).isEqualTo(binary(payload));
        client.events.assertExhausted();
    }

    @Test
    @DisplayName("64 KiB binary in a single unmasked frame: header 82 7f 00 00 00 00 00 01 00 00")
    void binary64KiBUsesTheSixtyFourBitLength() {
        byte[] payload = pattern(65536);
        Endpoint server = Endpoint.server();
        server.connection.sendBinary(ByteBuffer.wrap(payload), server.out);
        byte[] frame = server.written();
        assertThat(Hex.of(Arrays.copyOf(frame, 10))).isEqualTo("82 7f 00 00 00 00 00 01 00 00");
        assertThat(frame).hasSize(10 + 65536);
        assertThat(Arrays.copyOfRange(frame, 10, frame.length)).isEqualTo(payload);

        Endpoint client = Endpoint.client().receive(frame);
        assertThat(client.events.take()).isEqualTo(binary(payload));
        client.events.assertExhausted();
    }

    @Test
    @DisplayName("RFC 6455 §1.3: key dGhlIHNhbXBsZSBub25jZQ== gives s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    void acceptKeyOfTheRfcSampleNonce() {
        assertThat(AcceptKey.of("dGhlIHNhbXBsZSBub25jZQ==")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    static byte[] pattern(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 31 + 7);
        }
        return bytes;
    }

    private static byte[] bytes(ByteOutput out) {
        ByteBuffer buffer = out.flip();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        out.clear();
        return bytes;
    }
}
