package dev.duplex.bench.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The bare NIO echo: raw bytes come back unchanged, whatever they are (no HTTP, no framing). */
class NioEchoPeerTest {
    private NioEchoPeer peer;

    @BeforeEach
    void start() {
        peer = NioEchoPeer.start(new PeerOptions("127.0.0.1", 0));
        assertThat(peer.port()).isPositive();
    }

    @AfterEach
    void stop() {
        peer.close();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", peer.port()), 5_000);
        s.setSoTimeout(10_000);
        s.setTcpNoDelay(true);
        return s;
    }

    @Test
    void smallRoundTrip() throws IOException {
        try (Socket s = connect()) {
            // A masked WebSocket text frame, as a load generator would send it: echoed byte for byte.
            byte[] frame = {(byte) 0x81, (byte) 0x85, 1, 2, 3, 4, 'h' ^ 1, 'e' ^ 2, 'l' ^ 3, 'l' ^ 4, 'o' ^ 1};
            s.getOutputStream().write(frame);
            assertThat(s.getInputStream().readNBytes(frame.length)).isEqualTo(frame);
        }
    }

    @Test
    void largeStreamWhileReadingConcurrently() throws Exception {
        byte[] data = JdkClient.pattern(4 * 1024 * 1024, 11);
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (int off = 0; off < data.length; off += 100_000) {
                        out.write(data, off, Math.min(100_000, data.length - off));
                    }
                    out.flush();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            InputStream in = s.getInputStream();
            byte[] back = in.readNBytes(data.length);
            writer.get(10, TimeUnit.SECONDS);
            assertThat(back).isEqualTo(data);
        }
    }

    @Test
    void manyConnectionsAtOnce() throws IOException {
        Socket[] sockets = new Socket[50];
        try {
            for (int i = 0; i < sockets.length; i++) {
                sockets[i] = connect();
            }
            for (int i = 0; i < sockets.length; i++) {
                sockets[i].getOutputStream().write(new byte[] {(byte) i, 42});
            }
            for (int i = 0; i < sockets.length; i++) {
                assertThat(sockets[i].getInputStream().readNBytes(2)).containsExactly((byte) i, 42);
            }
        } finally {
            for (Socket s : sockets) {
                if (s != null) {
                    s.close();
                }
            }
        }
    }
}
