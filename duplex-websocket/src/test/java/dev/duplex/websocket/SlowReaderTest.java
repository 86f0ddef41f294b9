package dev.duplex.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Regression (security review 2026-12, finding 8): a client that sent to an echo endpoint and never
 * read made the server buffer 250 MiB for it. The server now stops reading from a connection whose
 * send queue is past the transport's high watermark and resumes when it drained: TCP flow control
 * pushes back on the peer, the queue stays near the watermark, and nothing is lost.
 */
class SlowReaderTest {
    private static final int FRAME_PAYLOAD = 60 * 1024;
    /** 60 MiB: many times the default send queue (4 MiB) and what loopback's socket buffers can hold. */
    private static final int FRAMES = 1_000;

    @Test
    void anEchoPeerThatDoesNotReadIsPushedBackNotBuffered() throws Exception {
        CompletableFuture<WebSocket> serverSide = new CompletableFuture<>();
        WebSocketListener echo = new WebSocketListener() {
            @Override
            public void onOpen(WebSocket ws) {
                serverSide.complete(ws);
            }

            @Override
            public void onBinary(WebSocket ws, ByteBuffer data) {
                ws.sendBinary(data);
            }
        };
        try (WebSocketServer server = WebSocketServer.builder().route("/echo", echo).start(0);
             Socket socket = new Socket()) {
            socket.setReceiveBufferSize(64 * 1024); // before connecting, so the kernel holds little for us
            socket.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            out.write(RawClient.upgrade("/echo").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            readHead(in);
            WebSocket ws = serverSide.get(5, TimeUnit.SECONDS);

            byte[] payload = new byte[FRAME_PAYLOAD];
            for (int i = 0; i < payload.length; i++) {
                payload[i] = (byte) i;
            }
            byte[] frame = RawClient.maskedFrame(0x82, payload);
            AtomicLong written = new AtomicLong();
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; i < FRAMES; i++) {
                        out.write(frame);
                        written.incrementAndGet();
                    }
                } catch (Exception e) {
                    // the socket closed under the writer: the assertions below say why
                }
            }, "slow-reader-writer");
            writer.setDaemon(true);
            writer.start();

            // Not reading: watch the server's queue for this connection until the writer is stuck
            // (TCP pushes back) or done. Bounded: 20 s.
            long most = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            long lastProgress = -1;
            int unchanged = 0;
            while (System.nanoTime() < deadline && writer.isAlive() && unchanged < 50) {
                most = Math.max(most, ws.bufferedAmount());
                long now = written.get();
                unchanged = now == lastProgress ? unchanged + 1 : 0;
                lastProgress = now;
                writer.join(20);
            }
            most = Math.max(most, ws.bufferedAmount());
            assertThat(ws.isOpen()).as("the slow reader is pushed back, not disconnected").isTrue();
            assertThat(written.get()).as("the writer was held back before sending everything").isLessThan(FRAMES);
            // The watermark (1 MiB) plus at most one read batch of echoes.
            assertThat(most).as("bytes the server queued for a peer that does not read").isLessThanOrEqualTo(2L << 20);

            // Now read: every echo arrives, in order, and the writer finishes.
            for (int i = 0; i < FRAMES; i++) {
                int b0 = in.readUnsignedByte();
                int b1 = in.readUnsignedByte();
                assertThat(b0).isEqualTo(0x82);
                assertThat(b1).isEqualTo(126);
                assertThat(in.readUnsignedShort()).isEqualTo(FRAME_PAYLOAD);
                byte[] echoed = new byte[FRAME_PAYLOAD];
                in.readFully(echoed);
                assertThat(echoed).isEqualTo(payload);
                most = Math.max(most, ws.bufferedAmount());
            }
            writer.join(Duration.ofSeconds(10).toMillis());
            assertThat(written.get()).isEqualTo(FRAMES);
            assertThat(most).isLessThanOrEqualTo(2L << 20);
        }
    }

    private static void readHead(DataInputStream in) throws Exception {
        int matched = 0;
        StringBuilder head = new StringBuilder();
        while (matched < 4) {
            int b = in.read();
            head.append((char) b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        assertThat(head.toString()).startsWith("HTTP/1.1 101 ");
    }
}
