package dev.duplex.bench.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The minimal C epoll peer ({@code duplex-bench-peers/c/peer.c}), compiled by {@code c/build}
 * (only when peer.c is newer than the binary) and started as a process, like the benchmark runner
 * starts it. A C compiler must be there: when it is not, the test fails saying how to install one
 * (it never skips). Beyond the contract, raw-socket checks of what the JDK client cannot show: the
 * handshake digest, ping, close, fragments and protocol errors.
 */
class CPeerTest extends WebSocketPeerContract {
    static final String MISSING = "A C compiler is needed for the C epoll peer: apt-get install gcc libc6-dev";

    private RunningPeer running;

    @Override
    RunningPeer start() {
        Path dir = cDir();
        running = PeerProcess.start(List.of(build(dir).toString(), "--port", "0"), dir, Duration.ofSeconds(20));
        return running;
    }

    static Path cDir() {
        return Path.of(System.getProperty("user.dir"), "c").toAbsolutePath().normalize();
    }

    /** Runs {@code c/build} and returns the binary it made. */
    static Path build(Path dir) {
        Process p = null;
        try {
            p = new ProcessBuilder("bash", dir.resolve("build").toString()).directory(dir.toFile())
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                fail("'" + dir.resolve("build") + "' did not succeed (" + MISSING + "):\n" + output);
            }
        } catch (IOException e) {
            fail("cannot run " + dir.resolve("build") + " (bash needed): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted while running c/build");
        } finally {
            if (p != null) {
                p.destroyForcibly();
            }
        }
        return dir.resolve("target/c-epoll-peer");
    }

    @Test
    void handshakeAcceptsTheRfcSampleKeyAndRejectsBadRequests() throws IOException {
        try (RawClient c = RawClient.open(running.port())) {
            // RFC 6455 section 1.3's example: this key must give this accept value.
            String head = c.request(RawClient.upgradeRequest("/echo", "dGhlIHNhbXBsZSBub25jZQ==", "13"));
            assertThat(head).startsWith("HTTP/1.1 101 ").contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        }
        try (RawClient c = RawClient.open(running.port())) {
            assertThat(c.request(RawClient.upgradeRequest("/echo", "dGhlIHNhbXBsZSBub25jZQ==", "8")))
                    .startsWith("HTTP/1.1 400 ");
            assertThat(c.atEof()).isTrue();
        }
        try (RawClient c = RawClient.open(running.port())) {
            assertThat(c.request(RawClient.upgradeRequest("/nowhere", "dGhlIHNhbXBsZSBub25jZQ==", "13")))
                    .startsWith("HTTP/1.1 404 ").contains("Content-Length: 0");
        }
        try (RawClient c = RawClient.open(running.port())) {
            // A request head beyond 8 KiB.
            assertThat(c.request("GET /echo HTTP/1.1\r\nX-Big: " + "a".repeat(9000) + "\r\n\r\n"))
                    .startsWith("HTTP/1.1 400 ");
        }
    }

    @Test
    void pingIsAnsweredWithPongAndCloseWithClose() throws IOException {
        try (RawClient c = RawClient.upgrade(running.port(), "/echo")) {
            c.send(0x89, "are you there".getBytes(StandardCharsets.UTF_8));
            assertThat(c.read()).isEqualTo(new Frame(0x8A, "are you there"));
            c.send(0x88, new byte[] {0x03, (byte) 0xE9});
            assertThat(c.read()).isEqualTo(new Frame(0x88, new byte[] {0x03, (byte) 0xE9}));
            assertThat(c.atEof()).as("the peer closes after its close frame").isTrue();
        }
    }

    @Test
    void fragmentsEchoAsFragmentsAndBroadcastWhole() throws IOException {
        try (RawClient c = RawClient.upgrade(running.port(), "/echo")) {
            c.send(0x01, "hello, ".getBytes(StandardCharsets.UTF_8));
            c.send(0x80, "world".getBytes(StandardCharsets.UTF_8));
            assertThat(c.read()).isEqualTo(new Frame(0x01, "hello, "));
            assertThat(c.read()).isEqualTo(new Frame(0x80, "world"));
        }
        try (RawClient sender = RawClient.upgrade(running.port(), "/broadcast");
             JdkClient listener = JdkClient.connect(running.port(), "/broadcast")) {
            listener.sendText("sync");
            assertThat(listener.nextText()).isEqualTo("sync");
            assertThat(sender.read()).isEqualTo(new Frame(0x81, "sync"));
            byte[] whole = JdkClient.pattern(70_000, 5);
            sender.send(0x02, Arrays.copyOf(whole, 30_000));
            sender.send(0x89, new byte[0]); // a control frame between fragments is allowed
            sender.send(0x80, Arrays.copyOfRange(whole, 30_000, whole.length));
            assertThat(sender.read()).isEqualTo(new Frame(0x8A, new byte[0]));
            assertThat(sender.read()).isEqualTo(new Frame(0x82, whole));
            assertThat(listener.nextBinary()).isEqualTo(whole);
        }
    }

    @Test
    void protocolErrorsClose() throws IOException {
        try (RawClient c = RawClient.upgrade(running.port(), "/echo")) {
            c.sendRaw(new byte[] {(byte) 0x81, 0x02, 'h', 'i'}); // not masked
            assertThat(c.read()).isEqualTo(new Frame(0x88, new byte[] {0x03, (byte) 0xEA})); // 1002
            assertThat(c.atEof()).isTrue();
        }
        try (RawClient c = RawClient.upgrade(running.port(), "/echo")) {
            // A header announcing 17 MiB: refused before any of it is buffered.
            c.sendRaw(new byte[] {(byte) 0x82, (byte) 0xFF, 0, 0, 0, 0, 0x01, 0x10, 0, 0, 1, 2, 3, 4});
            assertThat(c.read()).isEqualTo(new Frame(0x88, new byte[] {0x03, (byte) 0xF1})); // 1009
        }
    }

    @Test
    void manyBroadcastClientsEachGetEachMessageOnce() {
        List<JdkClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 40; i++) {
                clients.add(JdkClient.connect(running.port(), "/broadcast"));
            }
            // Once each has heard its own sync message, every client is in the broadcast set.
            for (JdkClient c : clients) {
                c.sendText("sync");
            }
            for (JdkClient c : clients) {
                for (int i = 0; i < clients.size(); i++) {
                    assertThat(c.nextText()).isEqualTo("sync");
                }
            }
            // Five senders one after the other (the next sends once the last client has the previous
            // message), then an end marker: each client must have each message once, in order.
            JdkClient witness = clients.get(clients.size() - 1);
            List<String> sent = new ArrayList<>();
            for (int m = 0; m < 5; m++) {
                sent.add("message " + m);
                clients.get(m).sendText("message " + m);
                assertThat(witness.nextText()).isEqualTo("message " + m);
            }
            clients.get(0).sendText("end");
            for (JdkClient c : clients) {
                List<String> got = new ArrayList<>(c == witness ? sent : List.of());
                for (String s = c.nextText(); !s.equals("end"); s = c.nextText()) {
                    got.add(s);
                }
                assertThat(got).containsExactlyElementsOf(sent);
            }
        } finally {
            clients.forEach(JdkClient::close);
        }
    }

    /** A frame as the server sent it: first byte (FIN, opcode) and payload. */
    record Frame(int b0, byte[] payload) {
        Frame(int b0, String text) {
            this(b0, text.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Frame f && f.b0 == b0 && Arrays.equals(f.payload, payload);
        }

        @Override
        public int hashCode() {
            return 31 * b0 + Arrays.hashCode(payload);
        }

        @Override
        public String toString() {
            return String.format("Frame(0x%02X, %s)", b0, JdkClient.describe(payload));
        }
    }

    /** A blocking socket speaking just enough WebSocket to send any frame, well formed or not. */
    private static final class RawClient implements AutoCloseable {
        private static final byte[] MASK = {0x37, (byte) 0xFA, 0x21, 0x3D};
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        private RawClient(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        static RawClient open(int port) throws IOException {
            Socket s = new Socket();
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(10_000);
            s.setTcpNoDelay(true);
            return new RawClient(s);
        }

        static RawClient upgrade(int port, String path) throws IOException {
            RawClient c = open(port);
            assertThat(c.request(upgradeRequest(path, "x3JJHMbDL1EzLkh9GBhXDw==", "13"))).startsWith("HTTP/1.1 101 ");
            return c;
        }

        static String upgradeRequest(String path, String key, String version) {
            return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: " + version + "\r\n\r\n";
        }

        /** Sends head, returns the response head (through the blank line). */
        String request(String head) throws IOException {
            sendRaw(head.getBytes(StandardCharsets.ISO_8859_1));
            StringBuilder response = new StringBuilder();
            while (response.indexOf("\r\n\r\n") < 0) {
                int b = in.read();
                if (b < 0) {
                    return fail("the connection closed after: " + response);
                }
                response.append((char) b);
            }
            return response.toString();
        }

        void sendRaw(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        /** A masked frame with first byte b0. */
        void send(int b0, byte[] payload) throws IOException {
            ByteArrayOutputStream f = new ByteArrayOutputStream();
            f.write(b0);
            if (payload.length < 126) {
                f.write(0x80 | payload.length);
            } else if (payload.length <= 0xFFFF) {
                f.write(0x80 | 126);
                f.write(payload.length >>> 8);
                f.write(payload.length);
            } else {
                f.write(0x80 | 127);
                for (int shift = 56; shift >= 0; shift -= 8) {
                    f.write((int) ((long) payload.length >>> shift));
                }
            }
            f.writeBytes(MASK);
            for (int i = 0; i < payload.length; i++) {
                f.write(payload[i] ^ MASK[i & 3]);
            }
            sendRaw(f.toByteArray());
        }

        Frame read() throws IOException {
            int b0 = readByte();
            int b1 = readByte();
            assertThat(b1 & 0x80).as("server frames are not masked").isZero();
            long length = b1 & 0x7F;
            if (length >= 126) {
                int bytes = length == 126 ? 2 : 8;
                length = 0;
                for (int i = 0; i < bytes; i++) {
                    length = length << 8 | readByte();
                }
            }
            byte[] payload = in.readNBytes((int) length);
            assertThat(payload).as("payload of a %d-byte frame", length).hasSize((int) length);
            return new Frame(b0, payload);
        }

        private int readByte() throws IOException {
            int b = in.read();
            if (b < 0) {
                fail("the connection closed in the middle of a frame");
            }
            return b;
        }

        /** Whether the server closed the connection (EOF, or a reset after the FIN) within the timeout. */
        boolean atEof() {
            try {
                return in.read() < 0;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (SocketException e) {
                return true;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
