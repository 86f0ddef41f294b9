package dev.duplex.transport;

import static dev.duplex.transport.TestSupport.ANY_LOCAL_PORT;
import static dev.duplex.transport.TestSupport.await;
import static dev.duplex.transport.TestSupport.onLoop;
import static dev.duplex.transport.TestSupport.pattern;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BackpressureTest {
    private static final int PAYLOAD = 8 * 1024 * 1024;
    private static final long WATERMARK = TransportOptions.defaults().writeHighWatermarkBytes();
    // Small kernel buffers, so nearly all of the payload has to wait in the server's write queue.
    private static final TransportOptions SERVER = TransportOptions.defaults().withSocketSendBufferBytes(64 * 1024);
    private static final TransportOptions CLIENT = TransportOptions.defaults().withSocketReceiveBufferBytes(64 * 1024);

    private EventLoopGroup group;

    @BeforeEach
    void start() {
        group = new EventLoopGroup(2);
    }

    @AfterEach
    void stop() {
        group.close();
    }

    private record WriteState(long buffered, boolean writable) {}

    @Test
    void aPausedReaderFillsTheQueueThenWritabilityReturnsAndTheDataIsIntact() throws Exception {
        byte[] payload = pattern(PAYLOAD, 11);
        CompletableFuture<WriteState> afterWriting = new CompletableFuture<>();
        RecordingHandler serverSide = new RecordingHandler();
        serverSide.onOpenAction = c -> {
            TestSupport.writeInSlices(c, payload, 64 * 1024);
            afterWriting.complete(new WriteState(c.bufferedBytes(), c.isWritable()));
        };
        RecordingHandler clientSide = new RecordingHandler();
        clientSide.onOpenAction = c -> c.setReadInterest(false);

        try (TcpServer server = TcpServer.bind(group, ANY_LOCAL_PORT, SERVER, () -> serverSide)) {
            TcpConnection client = await(TcpClient.connect(group.next(), server.localAddress(), CLIENT, clientSide));
            WriteState state = await(afterWriting);
            TcpConnection serverConnection = await(serverSide.opened);

            assertThat(state.buffered()).isGreaterThan(WATERMARK);
            assertThat(state.writable()).isFalse();
            assertThat(serverConnection.bufferedBytes()).as("readable from any thread").isGreaterThan(WATERMARK);
            assertThat(serverSide.writableCalls).hasValue(0);
            assertThat(clientSide.receivedCount()).isZero();

            onLoop(client.loop(), () -> client.setReadInterest(true));

            assertThat(clientSide.awaitBytes(PAYLOAD, Duration.ofSeconds(30))).isEqualTo(payload);
            await(serverSide.writable);
            assertThat(serverSide.writableCalls).hasValue(1);
            assertThat(serverConnection.bufferedBytes()).isZero();
            assertThat(onLoop(serverConnection.loop(), serverConnection::isWritable)).isTrue();
        }
    }

    @Test
    void pausingMidStreamStopsDeliveryUntilResumed() throws Exception {
        byte[] payload = pattern(2 * 1024 * 1024, 5);
        RecordingHandler serverSide = new RecordingHandler();
        serverSide.onOpenAction = c -> TestSupport.writeInSlices(c, payload, 16 * 1024);
        RecordingHandler clientSide = new RecordingHandler();
        CompletableFuture<Integer> pausedAt = new CompletableFuture<>();
        clientSide.onDataAction = (c, data) -> {
            // Take the first delivery, then pause: nothing more may arrive until resumed.
            pausedAt.complete(data.remaining());
            c.setReadInterest(false);
            data.position(data.limit());
        };

        try (TcpServer server = TcpServer.bind(group, ANY_LOCAL_PORT, SERVER, () -> serverSide)) {
            TcpConnection client = await(TcpClient.connect(group.next(), server.localAddress(), CLIENT, clientSide));
            int first = await(pausedAt);
            // A timer on the client's own loop, a few ticks later, proves no further onData ran meanwhile.
            CompletableFuture<Integer> stillPaused = new CompletableFuture<>();
            client.loop().schedule(() -> stillPaused.complete(clientSide.receivedCount()), 100,
                    java.util.concurrent.TimeUnit.MILLISECONDS);
            assertThat(await(stillPaused)).isZero();

            clientSide.onDataAction = null;
            onLoop(client.loop(), () -> client.setReadInterest(true));
            byte[] rest = clientSide.awaitBytes(payload.length - first, Duration.ofSeconds(30));
            assertThat(rest).isEqualTo(java.util.Arrays.copyOfRange(payload, first, payload.length));
        }
    }
}
