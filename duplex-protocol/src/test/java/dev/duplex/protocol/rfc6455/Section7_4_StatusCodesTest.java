package dev.duplex.protocol.rfc6455;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.protocol.CloseCodes;
import dev.duplex.protocol.Connection.State;
import dev.duplex.protocol.Endpoint;
import dev.duplex.protocol.EventRecorder.CloseReceived;
import dev.duplex.protocol.Hex;
import dev.duplex.protocol.RawFrames;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 6455 §7.4 "Status Codes" and §5.5.1 (the Close payload). */
class Section7_4_StatusCodesTest {

    @ParameterizedTest(name = "Autobahn 7.7.x: close code {0} is accepted and echoed")
    @ValueSource(ints = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999})
    void validCodeIsAcceptedAndEchoed(int code) {
        Endpoint server = Endpoint.server().receive(RawFrames.close(code, "why").masked().bytes());
        assertThat(server.events.take()).isEqualTo(new CloseReceived(code, "why"));
        server.events.assertExhausted();
        assertThat(server.writtenFrames()).singleElement().extracting(RawFrames.Frame::closeCode).isEqualTo(code);
        assertThat(server.state()).isEqualTo(State.CLOSED);
        assertThat(server.connection.isFailed()).isFalse();
        assertThat(CloseCodes.isValidOnWire(code)).isTrue();
    }

    @ParameterizedTest(name = "Autobahn 7.9.x: close code {0} → 1002")
    @ValueSource(ints = {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535})
    void invalidCodeIs1002(int code) {
        Endpoint server = Endpoint.server().receive(RawFrames.close(code, "").masked().bytes());
        assertThat(server.events.takeErrorCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
        server.events.assertExhausted();
        assertThat(server.writtenFrames()).singleElement().extracting(RawFrames.Frame::closeCode).isEqualTo(1002);
        assertThat(server.connection.isFailed()).isTrue();
        assertThat(CloseCodes.isValidOnWire(code)).isFalse();
    }

    @Test
    @DisplayName("Autobahn 7.3.2: a Close payload of one byte → 1002")
    void oneBytePayloadIs1002() {
        Endpoint server = Endpoint.server().receive(RawFrames.frame(0x8).payload(new byte[] {0x03}).masked().bytes());
        assertThat(server.events.takeErrorCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
        server.events.assertExhausted();
        assertThat(server.writtenFrames()).singleElement().extracting(RawFrames.Frame::closeCode).isEqualTo(1002);
    }

    @Test
    @DisplayName("Autobahn 7.5.1: a close reason that is not UTF-8 → 1007")
    void invalidUtf8ReasonIs1007() {
        byte[] payload = Hex.parse("03 e8 ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74 65 64");
        Endpoint server = Endpoint.server().receive(RawFrames.frame(0x8).payload(payload).masked().bytes());
        assertThat(server.events.takeErrorCode()).isEqualTo(CloseCodes.INVALID_PAYLOAD);
        server.events.assertExhausted();
        assertThat(server.writtenFrames()).singleElement().extracting(RawFrames.Frame::closeCode).isEqualTo(1007);
    }

    @Test
    void reasonEndingInsideACharacterIs1007() {
        Endpoint server = Endpoint.server().receive(RawFrames.frame(0x8).payload(Hex.parse("03 e8 41 e2 82")).masked().bytes());
        assertThat(server.events.takeErrorCode()).isEqualTo(CloseCodes.INVALID_PAYLOAD);
    }

    @Test
    @DisplayName("Autobahn 7.3.4: a multi-byte UTF-8 reason is delivered decoded")
    void multiByteReasonIsDecoded() {
        Endpoint server = Endpoint.server().receive(RawFrames.close(1000, "κόσμε 𝄞").masked().bytes());
        assertThat(server.events.take()).isEqualTo(new CloseReceived(1000, "κόσμε 𝄞"));
    }

    @Test
    void wireValidityOfEveryCode() {
        for (int code = 0; code <= 65535; code++) {
            boolean expected = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
            assertThat(CloseCodes.isValidOnWire(code)).as("code %d", code).isEqualTo(expected);
        }
    }

    @Test
    void describeNamesKnownCodes() {
        assertThat(CloseCodes.describe(1000)).isEqualTo("1000 NORMAL");
        assertThat(CloseCodes.describe(1009)).isEqualTo("1009 MESSAGE_TOO_BIG");
        assertThat(CloseCodes.describe(4001)).isEqualTo("4001");
    }
}
