package dev.duplex.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bad frames from a client: the right close code, a clean close, and no effect on anyone else. */
class FrameErrorTest {
    private static WebSocketServer server;

    @BeforeAll
    static void start() {
        server = WebSocketServer.builder()
                .route("/echo", TestServers.ECHO)
                .options(WebSocketOptions.defaults()
                        .withMaxMessageBytes(1024)
                        .withCloseTimeout(Duration.ofSeconds(2)))
                .startOnLoopback(0);
    }

    @AfterAll
    static void stop() throws Exception {
        assertThat(TestServers.eventually(Duration.ofSeconds(5), () -> server.connectionCount() == 0)).isTrue();
        server.close();
    }

    private static RawClient open() throws Exception {
        RawClient raw = new RawClient(server.port());
        raw.send(RawClient.upgrade("/echo"));
        assertThat(raw.readHead()).startsWith("HTTP/1.1 101 ");
        return raw;
    }

    /** Reads the server's Close frame (unmasked, short) and returns its code. */
    private static int readCloseCode(RawClient raw) throws Exception {
        byte[] header = raw.readExactly(2);
        assertThat(header[0] & 0xFF).as("FIN + CLOSE opcode").isEqualTo(0x88);
        int length = header[1] & 0x7F;
        byte[] payload = raw.readExactly(length);
        return ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
    }

    private static void answerCloseAndExpectEof(RawClient raw, int code) throws Exception {
        raw.send(RawClient.maskedFrame(0x88, new byte[] {(byte) (code >>> 8), (byte) code}));
        assertThat(raw.readToEnd()).as("nothing after the Close; then the server closes TCP").isEmpty();
    }

    @Test
    void unmaskedClientFrameIs1002() throws Exception {
        try (RawClient raw = open()) {
            raw.send(HexFormat.ofDelimiter(" ").parseHex("81 05 68 65 6c 6c 6f"));
            assertThat(readCloseCode(raw)).isEqualTo(1002);
            answerCloseAndExpectEof(raw, 1002);
        }
    }

    @Test
    void invalidUtf8Is1007() throws Exception {
        try (RawClient raw = open()) {
            raw.send(RawClient.maskedFrame(0x81, new byte[] {'a', (byte) 0xC0, (byte) 0xAF}));
            assertThat(readCloseCode(raw)).isEqualTo(1007);
            answerCloseAndExpectEof(raw, 1007);
        }
    }

    @Test
    void oversizedMessageIs1009BeforeThePayloadArrives() throws Exception {
        try (RawClient raw = open()) {
            // A header announcing 1 GiB, then nothing: the server must not wait for (or allocate) it.
            raw.send(HexFormat.ofDelimiter(" ").parseHex("82 ff 00 00 00 00 40 00 00 00 01 02 03 04"));
            assertThat(readCloseCode(raw)).isEqualTo(1009);
        }
    }

    @Test
    void reservedOpcodeIs1002() throws Exception {
        try (RawClient raw = open()) {
            raw.send(RawClient.maskedFrame(0x83, new byte[0]));
            assertThat(readCloseCode(raw)).isEqualTo(1002);
        }
    }

    @Test
    void validMessageBeforeABadFrameIsEchoedFirst() throws Exception {
        try (RawClient raw = open()) {
            byte[] good = RawClient.maskedFrame(0x81, "ok".getBytes(StandardCharsets.UTF_8));
            byte[] bad = RawClient.maskedFrame(0x81 | 0x40, "rsv1".getBytes(StandardCharsets.UTF_8));
            byte[] both = new byte[good.length + bad.length];
            System.arraycopy(good, 0, both, 0, good.length);
            System.arraycopy(bad, 0, both, good.length, bad.length);
            raw.send(both);
            assertThat(raw.readExactly(4)).containsExactly(0x81, 0x02, 'o', 'k');
            assertThat(readCloseCode(raw)).isEqualTo(1002);
            answerCloseAndExpectEof(raw, 1002);
        }
    }

    @Test
    void peerThatNeverAnswersOurCloseIsDroppedAfterTheCloseTimeout() throws Exception {
        try (RawClient raw = open()) {
            raw.send(RawClient.maskedFrame(0x83, new byte[0]));
            assertThat(readCloseCode(raw)).isEqualTo(1002);
            raw.timeout(5_000);
            long start = System.nanoTime();
            assertThat(raw.closedByServer()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        }
    }
}
