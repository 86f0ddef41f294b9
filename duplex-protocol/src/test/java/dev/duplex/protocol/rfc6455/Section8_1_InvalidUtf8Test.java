package dev.duplex.protocol.rfc6455;

import static dev.duplex.protocol.EventRecorder.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.protocol.CloseCodes;
import dev.duplex.protocol.Endpoint;
import dev.duplex.protocol.Hex;
import dev.duplex.protocol.Limits;
import dev.duplex.protocol.RawFrames;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 6455 §8.1: a text message that is not valid UTF-8 fails the connection with 1007. */
class Section8_1_InvalidUtf8Test {

    @ParameterizedTest(name = "Autobahn 6.x: {0} → 1007")
    @ValueSource(strings = {
            "c0 af",          // overlong '/'
            "e0 80 af",       // overlong 3-byte
            "f0 80 80 af",    // overlong 4-byte
            "ed a0 80",       // high surrogate D800
            "ed bf bf",       // low surrogate DFFF
            "f4 90 80 80",    // above U+10FFFF
            "f5 80 80 80",
            "ff",
            "fe",
            "80",             // stray continuation
            "c2 41",          // lead without continuation
            "ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74 65 64", // Autobahn 6.3.1
    })
    void invalidSequenceIs1007(String hex) {
        Endpoint server = Endpoint.server().receive(RawFrames.frame(0x1).payload(Hex.parse(hex)).masked().bytes());
        assertThat(server.events.takeErrorCode()).isEqualTo(CloseCodes.INVALID_PAYLOAD);
        server.events.assertExhausted();
        assertThat(server.writtenFrames()).singleElement().extracting(RawFrames.Frame::closeCode).isEqualTo(1007);
    }

    @ParameterizedTest(name = "Autobahn 6.7–6.9: boundary code point {0} is valid")
    @ValueSource(strings = {"00", "7f", "c2 80", "df bf", "e0 a0 80", "ed 9f bf", "ee 80 80", "ef bf bf", "ef bb bf",
            "f0 90 80 80", "f4 8f bf bf"})
    void boundaryCodePointsAreValid(String hex) {
        byte[] bytes = Hex.parse(hex);
        Endpoint server = Endpoint.server().receive(RawFrames.frame(0x1).payload(bytes).masked().bytes());
        assertThat(server.events.take()).isEqualTo(text(new String(bytes, java.nio.charset.StandardCharsets.UTF_8)));
        server.events.assertExhausted();
    }

    @Test
    @DisplayName("Autobahn 6.2.3/6.2.4: a code point split across fragments is accepted")
    void codePointSplitAcrossFragmentsIsAccepted() {
        byte[] utf8 = "κ𝄞".getBytes(java.nio.charset.StandardCharsets.UTF_8); // ce ba f0 9d 84 9e
        Endpoint server = Endpoint.server().receive(
                RawFrames.frame(0x1).payload(Arrays.copyOfRange(utf8, 0, 1)).fin(false).masked().bytes(),
                RawFrames.continuation(Arrays.copyOfRange(utf8, 1, 3)).fin(false).masked().bytes(),
                RawFrames.continuation(Arrays.copyOfRange(utf8, 3, 5)).fin(false).masked().bytes(),
                RawFrames.continuation(Arrays.copyOfRange(utf8, 5, 6)).masked().bytes());
        assertThat(server.events.take()).isEqualTo(text("κ𝄞"));
        server.events.assertExhausted();
    }

    @Test
    @DisplayName("Autobahn 6.4.x: an invalid byte in the 2nd fragment → 1007, reported when that fragment arrives")
    void invalidByteInTheSecondFragmentIs1007() {
        Endpoint server = Endpoint.server().receive(RawFrames.text("κόσμε").fin(false).masked().bytes());
        server.events.assertExhausted();
        server.receive(RawFrames.continuation(Hex.parse("f4 90 80 80")).fin(false).masked().bytes());
        assertThat(server.events.takeErrorCode()).isEqualTo(CloseCodes.INVALID_PAYLOAD);
        server.receive(RawFrames.continuation("edited".getBytes()).masked().bytes());
        server.events.assertExhausted();
    }

    @Test
    @DisplayName("Fail fast: an invalid byte early in a frame is reported before the rest of the frame arrives")
    void invalidByteIsReportedBeforeTheRestOfTheFrameArrives() {
        byte[] payload = new byte[1000];
        Arrays.fill(payload, (byte) 'a');
        payload[10] = (byte) 0xC0;
        byte[] frame = RawFrames.frame(0x1).payload(payload).masked().bytes();
        int header = frame.length - payload.length;
        Endpoint server = Endpoint.server().receive(Arrays.copyOf(frame, header + 20));
        assertThat(server.events.takeErrorCode()).isEqualTo(CloseCodes.INVALID_PAYLOAD);
        assertThat(server.writtenFrames()).singleElement().extracting(RawFrames.Frame::closeCode).isEqualTo(1007);
        server.receive(Arrays.copyOfRange(frame, header + 20, frame.length));
        server.events.assertExhausted();
        assertThat(server.written()).isEmpty();
    }

    @Test
    @DisplayName("Fail fast: the 4th byte of F4 90 … is wrong already at the 2nd, which is reported alone")
    void invalidSecondByteIsReportedWithoutTheThird() {
        byte[] frame = RawFrames.frame(0x1).payload(Hex.parse("41 f4 90 80 80 41")).masked().bytes();
        Endpoint server = Endpoint.server().receive(Arrays.copyOf(frame, frame.length - 3)); // up to 41 f4 90
        assertThat(server.events.takeErrorCode()).isEqualTo(CloseCodes.INVALID_PAYLOAD);
    }

    @Test
    @DisplayName("Fail fast also applies to a message streamed in parts")
    void failFastWhenStreaming() {
        Limits limits = Limits.defaults().withStreamingThresholdBytes(4);
        byte[] frame = RawFrames.frame(0x1).payload(Hex.parse("41 41 41 41 41 41 ed a0 80 41 41")).masked().bytes();
        Endpoint server = Endpoint.server(limits).receive(Arrays.copyOf(frame, frame.length - 3));
        assertThat(server.events.events()).last().isInstanceOf(dev.duplex.protocol.EventRecorder.ProtocolError.class);
        assertThat(server.events.events()).noneMatch(e -> e instanceof dev.duplex.protocol.EventRecorder.Part p && p.last());
    }

    @Test
    @DisplayName("A message ending inside a multi-byte sequence → 1007")
    void messageEndingMidSequenceIs1007() {
        Endpoint server = Endpoint.server().receive(RawFrames.frame(0x1).payload(Hex.parse("41 e2 82")).masked().bytes());
        assertThat(server.events.takeErrorCode()).isEqualTo(CloseCodes.INVALID_PAYLOAD);
        server.events.assertExhausted();
    }

    @Test
    void fragmentedMessageEndingMidSequenceIs1007() {
        Endpoint server = Endpoint.server().receive(
                RawFrames.frame(0x1).payload(Hex.parse("41 f0")).fin(false).masked().bytes(),
                RawFrames.continuation(Hex.parse("9d 84")).masked().bytes());
        assertThat(server.events.takeErrorCode()).isEqualTo(CloseCodes.INVALID_PAYLOAD);
        server.events.assertExhausted();
    }

    @Test
    @DisplayName("A truncated sequence does not leak into the next message")
    void validatorIsResetForEachMessage() {
        Endpoint server = Endpoint.server().receive(
                RawFrames.text("ok").masked().bytes(),
                RawFrames.binary(Hex.parse("e2 82")).masked().bytes(), // binary: not validated
                RawFrames.text("still ok").masked().bytes());
        assertThat(server.events.take()).isEqualTo(text("ok"));
        server.events.take();
        assertThat(server.events.take()).isEqualTo(text("still ok"));
        server.events.assertExhausted();
    }

    @Test
    void invalidUtf8InAPingIsFine() {
        Endpoint server = Endpoint.server().receive(RawFrames.ping(Hex.parse("c0 af ff")).masked().bytes());
        assertThat(server.events.events()).noneMatch(e -> e instanceof dev.duplex.protocol.EventRecorder.ProtocolError);
    }
}
