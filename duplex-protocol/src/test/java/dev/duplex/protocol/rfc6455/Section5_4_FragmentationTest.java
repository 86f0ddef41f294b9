package dev.duplex.protocol.rfc6455;

import static dev.duplex.protocol.EventRecorder.binary;
import static dev.duplex.protocol.EventRecorder.ping;
import static dev.duplex.protocol.EventRecorder.pong;
import static dev.duplex.protocol.EventRecorder.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.protocol.CloseCodes;
import dev.duplex.protocol.Endpoint;
import dev.duplex.protocol.Limits;
import dev.duplex.protocol.RawFrames;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 6455 §5.4 "Fragmentation". */
class Section5_4_FragmentationTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("Autobahn 5.3: a text message in two fragments is delivered once, whole")
    void textFragmentsAreAssembled() {
        Endpoint server = Endpoint.server()
                .receive(RawFrames.text("fragment1").fin(false).masked().bytes())
                .receive(RawFrames.continuation(bytes("fragment2")).masked().bytes());
        assertThat(server.events.take()).isEqualTo(text("fragment1fragment2"));
        server.events.assertExhausted();
    }

    @Test
    void binaryFragmentsAreAssembled() {
        Endpoint server = Endpoint.server().receive(RawFrames.concat(
                RawFrames.binary(new byte[] {1, 2}).fin(false).masked().bytes(),
                RawFrames.continuation(new byte[] {3}).fin(false).masked().bytes(),
                RawFrames.continuation(new byte[] {4, 5, 6}).masked().bytes()));
        assertThat(server.events.take()).isEqualTo(binary(new byte[] {1, 2, 3, 4, 5, 6}));
        server.events.assertExhausted();
    }

    @Test
    @DisplayName("Autobahn 6.1.2: empty fragments are allowed anywhere in a message")
    void emptyFragmentsAreAllowed() {
        Endpoint server = Endpoint.server().receive(RawFrames.concat(
                RawFrames.text("").fin(false).masked().bytes(),
                RawFrames.continuation(new byte[0]).fin(false).masked().bytes(),
                RawFrames.continuation(bytes("x")).fin(false).masked().bytes(),
                RawFrames.continuation(new byte[0]).masked().bytes()));
        assertThat(server.events.take()).isEqualTo(text("x"));
        server.events.assertExhausted();
    }

    @Test
    void aLargeFragmentedMessageIsAssembledInOrder() {
        byte[] whole = Section5_7_ExamplesTest.pattern(200_000);
        List<byte[]> frames = new ArrayList<>();
        int[] cuts = {0, 1, 1000, 70_000, 140_000, 200_000};
        for (int i = 0; i + 1 < cuts.length; i++) {
            byte[] piece = java.util.Arrays.copyOfRange(whole, cuts[i], cuts[i + 1]);
            RawFrames f = i == 0 ? RawFrames.binary(piece) : RawFrames.continuation(piece);
            frames.add(f.fin(i + 2 == cuts.length).masked().bytes());
        }
        Endpoint server = Endpoint.server().receive(frames.toArray(byte[][]::new));
        assertThat(server.events.take()).isEqualTo(binary(whole));
        server.events.assertExhausted();
    }

    @Test
    @DisplayName("Autobahn 5.9: a continuation frame without a message to continue → 1002")
    void continuationWithoutStartIs1002() {
        Endpoint server = Endpoint.server().receive(RawFrames.continuation(bytes("orphan")).masked().bytes());
        assertThat(server.events.takeErrorCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
        server.events.assertExhausted();
        assertThat(server.writtenFrames()).singleElement().extracting(RawFrames.Frame::closeCode).isEqualTo(1002);
    }

    @Test
    @DisplayName("Autobahn 5.10: a non-final continuation without a start → 1002")
    void nonFinalContinuationWithoutStartIs1002() {
        Endpoint server = Endpoint.server().receive(RawFrames.continuation(bytes("x")).fin(false).masked().bytes());
        assertThat(server.events.takeErrorCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
        server.events.assertExhausted();
    }

    @Test
    @DisplayName("A continuation after a complete message → 1002")
    void continuationAfterAFinishedMessageIs1002() {
        Endpoint server = Endpoint.server().receive(
                RawFrames.text("done").masked().bytes(),
                RawFrames.continuation(bytes("more")).masked().bytes());
        assertThat(server.events.take()).isEqualTo(text("done"));
        assertThat(server.events.takeErrorCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
        server.events.assertExhausted();
    }

    @ParameterizedTest(name = "Autobahn 5.18: a new data frame (opcode {0}) before the fragmented message ended → 1002")
    @ValueSource(ints = {1, 2})
    void newDataFrameMidMessageIs1002(int opcode) {
        Endpoint server = Endpoint.server().receive(
                RawFrames.text("start").fin(false).masked().bytes(),
                RawFrames.frame(opcode).payload("intruder").masked().bytes());
        assertThat(server.events.takeErrorCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
        server.events.assertExhausted();
    }

    @Test
    @DisplayName("Autobahn 5.6: a ping between fragments is answered, then the message completes")
    void pingBetweenFragmentsIsAnswered() {
        Endpoint server = Endpoint.server().receive(RawFrames.concat(
                RawFrames.text("fragment1").fin(false).masked().bytes(),
                RawFrames.ping(bytes("ping payload")).masked().bytes(),
                RawFrames.continuation(bytes("fragment2")).masked().bytes()));
        assertThat(server.events.take()).isEqualTo(ping(bytes("ping payload")));
        assertThat(server.events.take()).isEqualTo(text("fragment1fragment2"));
        server.events.assertExhausted();
        assertThat(server.writtenFrames()).singleElement().satisfies(f -> {
            assertThat(f.opcode()).isEqualTo(0xA);
            assertThat(f.text()).isEqualTo("ping payload");
        });
    }

    @Test
    @DisplayName("Autobahn 5.8: control frames interleaved with many fragments are answered in order")
    void interleavedControlFramesAreAnsweredInOrder() {
        List<byte[]> frames = new ArrayList<>();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            String piece = "part" + i;
            expected.append(piece);
            RawFrames f = i == 0 ? RawFrames.text(piece) : RawFrames.continuation(bytes(piece));
            frames.add(f.fin(i == 9).masked().bytes());
            if (i < 9) {
                frames.add(RawFrames.ping(bytes("ping" + i)).masked().bytes());
                frames.add(RawFrames.pong(bytes("pong" + i)).masked().bytes());
            }
        }
        Endpoint server = Endpoint.server().receive(RawFrames.concat(frames.toArray(byte[][]::new)));
        for (int i = 0; i < 9; i++) {
            assertThat(server.events.take()).isEqualTo(ping(bytes("ping" + i)));
            assertThat(server.events.take()).isEqualTo(pong(bytes("pong" + i)));
        }
        assertThat(server.events.take()).isEqualTo(text(expected.toString()));
        server.events.assertExhausted();
        List<RawFrames.Frame> written = server.writtenFrames();
        assertThat(written).hasSize(9);
        for (int i = 0; i < 9; i++) {
            assertThat(written.get(i).opcode()).isEqualTo(0xA);
            assertThat(written.get(i).text()).isEqualTo("ping" + i);
        }
    }

    @Test
    @DisplayName("A message of exactly maxFragments frames is accepted; one more frame → 1009")
    void maxFragmentsIsEnforced() {
        Limits limits = Limits.defaults().withMaxFragments(4);
        Endpoint ok = Endpoint.server(limits).receive(fragmented(4));
        assertThat(ok.events.take()).isEqualTo(text("abcd"));
        ok.events.assertExhausted();

        Endpoint tooMany = Endpoint.server(limits).receive(fragmented(5));
        assertThat(tooMany.events.takeErrorCode()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
        tooMany.events.assertExhausted();
        assertThat(tooMany.writtenFrames()).singleElement().extracting(RawFrames.Frame::closeCode).isEqualTo(1009);
    }

    @Test
    void theFragmentCountStartsAgainForEachMessage() {
        Limits limits = Limits.defaults().withMaxFragments(3);
        Endpoint server = Endpoint.server(limits);
        for (int i = 0; i < 5; i++) {
            server.receive(fragmented(3));
            assertThat(server.events.take()).isEqualTo(text("abc"));
        }
        server.events.assertExhausted();
    }

    @Test
    @DisplayName("The fragment limit trips on the header of the extra frame, however small it is (CVE-2026-48779 class)")
    void tinyFragmentsCannotPinMemory() {
        Endpoint server = Endpoint.server().receive(RawFrames.text("a").fin(false).masked().bytes());
        byte[] one = RawFrames.continuation(new byte[] {'a'}).fin(false).masked().bytes();
        int sent = 1;
        while (!server.events.hasError() && sent < 200_000) {
            server.receive(one);
            sent++;
        }
        assertThat(sent).isEqualTo(Limits.defaults().maxFragments() + 1);
        assertThat(server.events.takeErrorCode()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
        server.events.assertExhausted();
    }

    /** A text message "abc…" of {@code n} one-letter frames. */
    private static byte[] fragmented(int n) {
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] letter = {(byte) ('a' + i)};
            RawFrames f = i == 0 ? RawFrames.frame(0x1).payload(letter) : RawFrames.continuation(letter);
            frames.add(f.fin(i == n - 1).masked().bytes());
        }
        return RawFrames.concat(frames.toArray(byte[][]::new));
    }
}
