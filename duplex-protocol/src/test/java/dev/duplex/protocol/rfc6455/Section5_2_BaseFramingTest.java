package dev.duplex.protocol.rfc6455;

import static dev.duplex.protocol.EventRecorder.binary;
import static dev.duplex.protocol.EventRecorder.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.protocol.CloseCodes;
import dev.duplex.protocol.Endpoint;
import dev.duplex.protocol.EventRecorder;
import dev.duplex.protocol.Hex;
import dev.duplex.protocol.Limits;
import dev.duplex.protocol.Opcode;
import dev.duplex.protocol.ProtocolException;
import dev.duplex.protocol.RawFrames;
import dev.duplex.protocol.RawFrames.LengthForm;
import dev.duplex.protocol.Role;
import dev.duplex.protocol.frame.FrameBits;
import dev.duplex.protocol.frame.FrameParser;
import dev.duplex.protocol.frame.FrameWriter;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 6455 §5.2 "Base Framing Protocol": lengths, opcodes, RSV bits. */
class Section5_2_BaseFramingTest {

    @ParameterizedTest(name = "payload of {0} bytes: header {1}")
    @CsvSource({
            "0, 82 00",
            "1, 82 01",
            "125, 82 7d",
            "126, 82 7e 00 7e",
            "127, 82 7e 00 7f",
            "65535, 82 7e ff ff",
            "65536, 82 7f 00 00 00 00 00 01 00 00",
            "70000, 82 7f 00 00 00 00 00 01 11 70",
    })
    @DisplayName("FrameWriter uses the minimal length encoding (7, 16 or 64 bits)")
    void writerUsesTheMinimalLengthEncoding(int length, String header) {
        byte[] payload = Section5_7_ExamplesTest.pattern(length);
        ByteBuffer out = ByteBuffer.allocate(FrameBits.headerSize(length, false) + length);
        FrameWriter.writeFrame(out, FrameWriter.firstByte(true, 0, Opcode.BINARY.code()), ByteBuffer.wrap(payload), false, 0);
        assertThat(out.hasRemaining()).as("headerSize matches what was written").isFalse();
        byte[] frame = out.array();
        int headerLength = Hex.parse(header).length;
        assertThat(Hex.of(Arrays.copyOf(frame, headerLength))).isEqualTo(header);
        assertThat(Arrays.copyOfRange(frame, headerLength, frame.length)).isEqualTo(payload);
    }

    @ParameterizedTest(name = "{0} bytes, masked={1}: {2}-byte header")
    @CsvSource({
            "0, false, 2", "125, false, 2", "126, false, 4", "65535, false, 4", "65536, false, 10",
            "0, true, 6", "125, true, 6", "126, true, 8", "65535, true, 8", "65536, true, 14",
            "9223372036854775807, true, 14",
    })
    void headerSizeAtTheBoundaries(long length, boolean masked, int size) {
        assertThat(FrameBits.headerSize(length, masked)).isEqualTo(size);
    }

    @ParameterizedTest(name = "Autobahn 1.2.x: binary payload of {0} bytes is read back whole")
    @ValueSource(ints = {0, 1, 125, 126, 127, 128, 65535, 65536, 65537, 70000})
    void serverReadsEveryLengthEncoding(int length) {
        byte[] payload = Section5_7_ExamplesTest.pattern(length);
        Endpoint server = Endpoint.server().receive(RawFrames.binary(payload).masked().bytes());
        assertThat(server.events.take()).isEqualTo(binary(payload));
        server.events.assertExhausted();
    }

    @ParameterizedTest(name = "5-byte text with a {0} length field is tolerated")
    @CsvSource({"BITS_16", "BITS_64"})
    @DisplayName("A non-minimal length encoding is tolerated, as every major implementation does")
    void nonMinimalLengthIsTolerated(LengthForm form) {
        Endpoint server = Endpoint.server().receive(RawFrames.text("Hello").lengthForm(form).masked().bytes());
        assertThat(server.events.take()).isEqualTo(text("Hello"));
        server.events.assertExhausted();
    }

    @ParameterizedTest(name = "64-bit length {0} → 1002")
    @ValueSource(strings = {"80 00 00 00 00 00 00 00", "ff ff ff ff ff ff ff ff", "80 00 00 00 00 00 00 05"})
    @DisplayName("A 64-bit length with the most significant bit set fails with 1002 at once (CVE-2020-27813 class)")
    void sixtyFourBitLengthWithTheTopBitSetIs1002(String lengthBytes) {
        Endpoint server = Endpoint.server().receiveHex("82 ff " + lengthBytes + " 01 02 03 04");
        assertThat(server.events.takeErrorCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
        server.events.assertExhausted();
        assertThat(server.writtenFrames()).singleElement().extracting(RawFrames.Frame::closeCode).isEqualTo(1002);
        // Whatever follows cannot be framed; it is consumed without further reports.
        server.receive(RawFrames.text("after").masked().bytes());
        server.events.assertExhausted();
        assertThat(server.written()).isEmpty();
    }

    @Test
    @DisplayName("The largest positive 64-bit length is a size problem (1009), not a framing one")
    void largestPositiveLengthIs1009() {
        Endpoint server = Endpoint.server().receiveHex("82 ff 7f ff ff ff ff ff ff ff 01 02 03 04");
        assertThat(server.events.takeErrorCode()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
        server.events.assertExhausted();
    }

    @ParameterizedTest(name = "Autobahn 4.x: reserved opcode 0x{0} → 1002")
    @ValueSource(ints = {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF})
    void reservedOpcodeIs1002(int opcode) {
        Endpoint server = Endpoint.server().receive(RawFrames.frame(opcode).payload("x").masked().bytes());
        assertThat(server.events.takeErrorCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
        server.events.assertExhausted();
        assertThat(server.writtenFrames()).singleElement().extracting(RawFrames.Frame::closeCode).isEqualTo(1002);
    }

    @ParameterizedTest(name = "Autobahn 4.x: reserved opcode 0x{0} with an empty payload → 1002")
    @ValueSource(ints = {3, 7, 0xB, 0xF})
    void reservedOpcodeWithoutPayloadIs1002(int opcode) {
        Endpoint server = Endpoint.server().receive(RawFrames.frame(opcode).masked().bytes());
        assertThat(server.events.takeErrorCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
        server.events.assertExhausted();
    }

    @ParameterizedTest(name = "Autobahn 3.x: RSV bits 0x{0} on a text frame → 1002")
    @ValueSource(ints = {0x40, 0x20, 0x10, 0x60, 0x50, 0x30, 0x70})
    void reservedBitsWithoutAnExtensionAre1002(int rsv) {
        Endpoint server = Endpoint.server().receive(RawFrames.text("Hello").rsv(rsv).masked().bytes());
        assertThat(server.events.takeErrorCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
        server.events.assertExhausted();
    }

    @ParameterizedTest(name = "Autobahn 3.x: RSV bits 0x{0} on a ping → 1002 and no pong")
    @ValueSource(ints = {0x40, 0x20, 0x10})
    void reservedBitsOnAControlFrameAre1002(int rsv) {
        Endpoint server = Endpoint.server().receive(RawFrames.ping("p".getBytes()).rsv(rsv).masked().bytes());
        assertThat(server.events.takeErrorCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
        server.events.assertExhausted();
        assertThat(server.writtenFrames()).extracting(RawFrames.Frame::opcode).containsExactly(0x8);
    }

    @Test
    @DisplayName("Autobahn 3.2: a valid message before the RSV error is delivered; the one after is not")
    void messageBeforeTheBadFrameIsDelivered() {
        Endpoint server = Endpoint.server().receive(RawFrames.concat(
                RawFrames.text("Hello").masked().bytes(),
                RawFrames.text("Hello").rsv(0x20).masked().bytes(),
                RawFrames.ping("p".getBytes()).masked().bytes()));
        assertThat(server.events.take()).isEqualTo(text("Hello"));
        assertThat(server.events.takeErrorCode()).isEqualTo(1002);
        server.events.assertExhausted();
    }

    @Test
    @DisplayName("RSV bits claimed by a negotiated extension reach the handler")
    void rsvBitsClaimedByAnExtensionAreAllowed() throws ProtocolException {
        List<String> seen = new ArrayList<>();
        FrameParser parser = new FrameParser(Role.CLIENT, FrameBits.B0_RSV1);
        FrameParser.Handler handler = new FrameParser.Handler() {
            @Override
            public void onFrameHeader(boolean fin, int rsv, Opcode opcode, long length) {
                seen.add(fin + " " + Integer.toHexString(rsv) + " " + opcode + " " + length);
            }

            @Override
            public void onFramePayload(ByteBuffer chunk, boolean frameDone) {
                seen.add("payload " + chunk.remaining() + " " + frameDone);
            }
        };
        parser.parse(ByteBuffer.wrap(RawFrames.text("abc").rsv(0x40).bytes()), handler);
        assertThat(seen).containsExactly("true 40 TEXT 3", "payload 3 true");
        assertThat(parser.atFrameBoundary()).isTrue();

        ProtocolException error = org.junit.jupiter.api.Assertions.assertThrows(ProtocolException.class,
                () -> parser.parse(ByteBuffer.wrap(RawFrames.text("abc").rsv(0x20).bytes()), handler));
        assertThat(error.closeCode()).isEqualTo(1002);
    }

    @Test
    void theParserReportsAnEmptyPayloadOnce() throws ProtocolException {
        List<String> seen = new ArrayList<>();
        FrameParser parser = new FrameParser(Role.SERVER, 0);
        parser.parse(ByteBuffer.wrap(RawFrames.binary(new byte[0]).masked().bytes()), new FrameParser.Handler() {
            @Override
            public void onFrameHeader(boolean fin, int rsv, Opcode opcode, long length) {
                seen.add("header " + length);
            }

            @Override
            public void onFramePayload(ByteBuffer chunk, boolean frameDone) {
                seen.add("payload " + chunk.remaining() + " " + frameDone);
            }
        });
        assertThat(seen).containsExactly("header 0", "payload 0 true");
    }

    @Test
    void aHeaderSplitAcrossReadsIsNotAFrameBoundary() throws ProtocolException {
        FrameParser parser = new FrameParser(Role.SERVER, 0);
        FrameParser.Handler ignore = new FrameParser.Handler() {
            @Override
            public void onFrameHeader(boolean fin, int rsv, Opcode opcode, long length) {
            }

            @Override
            public void onFramePayload(ByteBuffer chunk, boolean frameDone) {
            }
        };
        byte[] frame = RawFrames.binary(new byte[300]).masked().bytes();
        parser.parse(ByteBuffer.wrap(frame, 0, 3), ignore);
        assertThat(parser.atFrameBoundary()).isFalse();
        parser.parse(ByteBuffer.wrap(frame, 3, frame.length - 3), ignore);
        assertThat(parser.atFrameBoundary()).isTrue();
    }

    @Test
    @DisplayName("Opcode.of maps every 4-bit value: six defined, ten reserved")
    void opcodeTable() {
        int defined = 0;
        for (int code = 0; code < 16; code++) {
            Opcode opcode = Opcode.of(code);
            if (opcode != null) {
                defined++;
                assertThat(opcode.code()).isEqualTo(code);
                assertThat(opcode.isControl()).isEqualTo(code >= 8);
            }
        }
        assertThat(defined).isEqualTo(6);
        assertThat(Opcode.of(-1)).isNull();
        assertThat(Opcode.of(16)).isNull();
    }

    @Test
    void theLengthIsReadBigEndianWhateverTheBufferOrder() {
        Endpoint server = Endpoint.server();
        byte[] frame = RawFrames.binary(new byte[258]).masked().bytes();
        server.connection.receive(ByteBuffer.wrap(frame).order(java.nio.ByteOrder.LITTLE_ENDIAN), server.out, server.events);
        assertThat(server.events.take()).isInstanceOf(EventRecorder.BinaryMessage.class)
                .isEqualTo(binary(new byte[258]));
        server.events.assertExhausted();
    }

    @Test
    void aFrameWithFinClearAndNoContinuationIsNotDelivered() {
        Endpoint server = Endpoint.server().receive(RawFrames.text("Hel").fin(false).masked().bytes());
        server.events.assertExhausted();
        assertThat(server.connection.isFailed()).isFalse();
        assertThat(server.written()).isEmpty();
        assertThat(Limits.defaults().maxFragments()).isEqualTo(1024);
    }
}
