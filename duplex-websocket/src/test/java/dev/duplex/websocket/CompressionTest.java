package dev.duplex.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** permessage-deflate between our client and our server: agreement, memory budget, release of zlib state. */
class CompressionTest {
    private static final WebSocketOptions NO_TAKEOVER = WebSocketOptions.defaults().withCompression(true)
            .withCompressionThresholdBytes(0);
    private static final WebSocketOptions TAKEOVER = NO_TAKEOVER.withContextTakeover(true, true);

    private static URI uri(WebSocketServer server) {
        return URI.create("ws://127.0.0.1:" + server.port() + "/echo");
    }

    private static WebSocketServer server(WebSocketOptions options, long budget) {
        return WebSocketServer.builder().route("/echo", TestServers.ECHO)
                .options(options.withCompressionBudgetBytes(budget))
                .startOnLoopback(0);
    }

    private static WebSocketClient client(WebSocketOptions options) {
        return WebSocketClient.builder().options(options).build();
    }

    @Test
    void compressedMessagesRoundTripAndTheAgreementIsVisible() throws Exception {
        try (WebSocketServer server = server(NO_TAKEOVER, 0); WebSocketClient client = client(NO_TAKEOVER)) {
            TestServers.Recorder recorder = new TestServers.Recorder();
            WebSocket ws = client.connect(uri(server), recorder).get();
            assertThat(ws.extensions()).isEqualTo("permessage-deflate; server_no_context_takeover; client_no_context_takeover");
            assertThat(recorder.next()).isEqualTo("open");
            String text = "compress me, ".repeat(1_000) + "héllo 🌍";
            ws.sendText(text);
            assertThat(recorder.next()).isEqualTo("text:" + text);
            ws.sendTextUncompressed("plain");
            assertThat(recorder.next()).isEqualTo("text:plain");
            ws.sendBinary(java.nio.ByteBuffer.allocate(100_000));
            assertThat(recorder.next()).isEqualTo("binary:100000");
        }
    }

    @Test
    void contextTakeoverIsGrantedOnlyWithinTheServersBudget() throws Exception {
        long perConnection = 262 * 1024 + 40 * 1024;
        try (WebSocketServer server = server(TAKEOVER, 2 * perConnection); WebSocketClient client = client(TAKEOVER)) {
            List<WebSocket> open = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                open.add(client.connect(uri(server), new TestServers.Recorder()).get());
            }
            assertThat(open.get(0).extensions()).isEqualTo("permessage-deflate");
            assertThat(open.get(1).extensions()).isEqualTo("permessage-deflate");
            assertThat(open.get(2).extensions()).contains("server_no_context_takeover", "client_no_context_takeover");
            assertThat(server.compressionContextBytes()).isEqualTo(2 * perConnection);
            for (WebSocket ws : open) {
                ws.close();
            }
            assertThat(TestServers.eventually(java.time.Duration.ofSeconds(5), () -> server.compressionContextBytes() == 0)).isTrue();
        }
    }

    @Test
    void connectCompressCloseCyclesDoNotGrowNativeMemory() throws Exception {
        int cycles = Boolean.getBoolean("duplex.longRun") ? 100_000 : 2_000;
        try (WebSocketServer server = server(TAKEOVER, Long.MAX_VALUE); WebSocketClient client = client(TAKEOVER)) {
            runCycles(server, client, 200); // warm up allocators and pools
            long before = residentBytes();
            int fdsBefore = openFileDescriptors();
            runCycles(server, client, cycles);
            long grown = residentBytes() - before;
            assertThat(TestServers.eventually(java.time.Duration.ofSeconds(5), () -> openFileDescriptors() <= fdsBefore))
                    .as("file descriptors back to %d", fdsBefore).isTrue();
            // Each cycle creates ~600 KiB of zlib state on the two sides; leaked, 2,000 cycles would add over 1 GiB.
            System.out.printf("RSS grew by %.1f MiB over %d compressed connect/close cycles%n", grown / 1048576.0, cycles);
            assertThat(grown).isLessThan(128L << 20);
            assertThat(server.compressionContextBytes()).isZero();
        }
    }

    private static void runCycles(WebSocketServer server, WebSocketClient client, int cycles) throws Exception {
        String message = "the same words again and again, ".repeat(100);
        for (int i = 0; i < cycles; i++) {
            TestServers.Recorder recorder = new TestServers.Recorder();
            WebSocket ws = client.connect(uri(server), recorder).get();
            ws.sendText(message);
            recorder.nextStartingWith("text:");
            ws.close();
            recorder.nextStartingWith("close:");
        }
    }

    private static int openFileDescriptors() {
        String[] fds = new java.io.File("/proc/self/fd").list();
        if (fds == null) {
            throw new AssertionError("Cannot list /proc/self/fd");
        }
        return fds.length;
    }

    /** Resident set size from /proc: heap, native zlib memory and everything else. */
    private static long residentBytes() throws Exception {
        System.gc();
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new AssertionError("No VmRSS in /proc/self/status (pid " + ManagementFactory.getRuntimeMXBean().getPid() + ")");
    }
}
