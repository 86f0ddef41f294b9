package dev.duplex.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Ping and pong floods (RELIABILITY F10) and stale buffer bytes (F11) against a real server. */
class FloodTest {

    private static RawClient open(WebSocketServer server, String path) throws Exception {
        RawClient raw = new RawClient(server.port());
        raw.send(RawClient.upgrade(path));
        assertThat(raw.readHead()).startsWith("HTTP/1.1 101 ");
        return raw;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        return all.toByteArray();
    }

    @Test
    void aPingFloodIsClosedWith1008() throws Exception {
        try (WebSocketServer server = WebSocketServer.builder().route("/echo", TestServers.ECHO)
                .options(WebSocketOptions.defaults().withMaxPingsPerSecond(50)).startOnLoopback(0);
                RawClient raw = open(server, "/echo")) {
            byte[][] pings = new byte[200][];
            for (int i = 0; i < pings.length; i++) {
                pings[i] = RawClient.maskedFrame(0x89, new byte[] {(byte) i});
            }
            raw.send(concat(pings));
            int pongs = 0;
            Frame frame = readFrame(raw);
            while (frame.opcode == 0xA) {
                pongs++;
                frame = readFrame(raw);
            }
            assertThat(pongs).isEqualTo(50);
            assertThat(frame.opcode).isEqualTo(0x8);
            assertThat(((frame.payload[0] & 0xFF) << 8) | (frame.payload[1] & 0xFF)).isEqualTo(1008);
        }
    }

    /**
     * Pings from a peer that does not read cannot grow the send queue: while the queue is past the
     * high watermark the server reads nothing (so the pings wait in TCP), and pings read while the
     * queue is full are coalesced to the latest (RFC 6455 §5.5.3 allows answering only the most
     * recent). Either way the peer gets every byte of data and a pong for its latest ping, last.
     */
    @Test
    void pingsFromAPeerThatDoesNotReadCannotGrowTheQueue() throws Exception {
        int chunk = 64 * 1024;
        int chunks = 512; // 32 MiB: far more than the socket buffers hold, so the server's queue fills
        java.util.concurrent.CountDownLatch queued = new java.util.concurrent.CountDownLatch(1);
        WebSocketListener flooder = new WebSocketListener() {
            @Override
            public void onText(WebSocket ws, String text) {
                for (int i = 0; i < chunks; i++) {
                    ws.sendBinary(ByteBuffer.allocate(chunk));
                }
                queued.countDown();
            }
        };
        WebSocketOptions options = WebSocketOptions.defaults().withMaxQueuedBytes(64L << 20);
        try (WebSocketServer server = WebSocketServer.builder().route("/r", flooder).options(options).startOnLoopback(0);
                RawClient raw = open(server, "/r")) {
            raw.send(RawClient.maskedFrame(0x81, "go".getBytes()));
            assertThat(queued.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            byte[][] pings = new byte[20][];
            for (int i = 0; i < pings.length; i++) {
                pings[i] = RawClient.maskedFrame(0x89, new byte[] {(byte) i});
            }
            raw.send(concat(pings));
            int pongs = 0;
            int lastPong = -1;
            long dataBytes = 0;
            raw.timeout(2_000);
            try {
                while (true) {
                    Frame frame = readFrame(raw);
                    if (frame.opcode == 0xA) {
                        pongs++;
                        lastPong = frame.payload[0];
                    } else {
                        dataBytes += frame.payload.length;
                    }
                }
            } catch (java.net.SocketTimeoutException quiet) {
                // the server has sent everything it had
            }
            assertThat(dataBytes).isEqualTo((long) chunk * chunks);
            assertThat(pongs).as("pongs for 20 pings sent while the server's queue was full").isBetween(1, 20);
            assertThat(lastPong).as("the latest ping is answered, last").isEqualTo(19);
        }
    }

    private record Frame(int opcode, byte[] payload) {
    }

    /** Reads one unmasked server frame. */
    private static Frame readFrame(RawClient raw) throws Exception {
        byte[] header = raw.readExactly(2);
        if (header.length < 2) {
            throw new java.net.SocketTimeoutException("end of stream");
        }
        long length = header[1] & 0x7F;
        if (length == 126) {
            byte[] ext = raw.readExactly(2);
            length = ((ext[0] & 0xFF) << 8) | (ext[1] & 0xFF);
        } else if (length == 127) {
            byte[] ext = raw.readExactly(8);
            length = 0;
            for (byte b : ext) {
                length = (length << 8) | (b & 0xFF);
            }
        }
        return new Frame(header[0] & 0x0F, raw.readExactly((int) length));
    }

    @Test
    void unsolicitedPongsAreIgnoredAndTheConnectionStaysUsable() throws Exception {
        try (WebSocketServer server = WebSocketServer.builder().route("/echo", TestServers.ECHO).startOnLoopback(0);
                RawClient raw = open(server, "/echo")) {
            byte[] pong = RawClient.maskedFrame(0x8A, new byte[125]);
            byte[] burst = concat(java.util.Collections.nCopies(1_000, pong).toArray(new byte[0][]));
            for (int i = 0; i < 100; i++) { // 100,000 pongs
                raw.send(burst);
            }
            raw.send(RawClient.maskedFrame(0x81, "still here".getBytes()));
            assertThat(raw.readExactly(12)).isEqualTo(concat(new byte[] {(byte) 0x81, 10}, "still here".getBytes()));
        }
    }

    @Test
    void framesAfterALargeMessageCarryExactlyTheirOwnBytes() throws Exception {
        try (WebSocketServer server = WebSocketServer.builder().route("/echo", TestServers.ECHO).startOnLoopback(0);
                RawClient raw = open(server, "/echo")) {
            byte[] big = new byte[200_000];
            java.util.Arrays.fill(big, (byte) 0xAA);
            raw.send(RawClient.maskedFrame(0x82, big));
            byte[] header = raw.readExactly(10);
            assertThat(header[0] & 0xFF).isEqualTo(0x82);
            assertThat(raw.readExactly(big.length)).isEqualTo(big);
            for (int size : new int[] {0, 1, 5, 125, 126, 1000}) {
                byte[] payload = new byte[size];
                for (int i = 0; i < size; i++) {
                    payload[i] = (byte) (i % 7);
                }
                raw.send(RawClient.maskedFrame(0x82, payload));
                int headerLength = size <= 125 ? 2 : 4;
                byte[] frame = raw.readExactly(headerLength + size);
                assertThat(java.util.Arrays.copyOfRange(frame, headerLength, frame.length)).isEqualTo(payload);
            }
        }
    }
}
