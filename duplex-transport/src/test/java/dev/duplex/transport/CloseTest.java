package dev.duplex.transport;

import static dev.duplex.transport.TestSupport.ANY_LOCAL_PORT;
import static dev.duplex.transport.TestSupport.await;
import static dev.duplex.transport.TestSupport.onLoop;
import static dev.duplex.transport.TestSupport.pattern;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CloseTest {
    private static final TransportOptions SMALL_SEND_BUFFER = TransportOptions.defaults().withSocketSendBufferBytes(32 * 1024);
    private static final TransportOptions SMALL_RECEIVE_BUFFER =
            TransportOptions.defaults().withSocketReceiveBufferBytes(32 * 1024);

    private EventLoopGroup group;
    private final LinkedBlockingQueue<RecordingHandler> serverHandlers = new LinkedBlockingQueue<>();
    private TcpServer server;

    @BeforeEach
    void start() throws Exception {
        group = new EventLoopGroup(2);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        group.close();
    }

    /** Binds a server whose handlers are made by {@code setup} and published to serverHandlers. */
    private void bind(java.util.function.Consumer<RecordingHandler> setup) throws Exception {
        server = TcpServer.bind(group, ANY_LOCAL_PORT, SMALL_SEND_BUFFER, () -> {
            RecordingHandler h = new RecordingHandler();
            setup.accept(h);
            serverHandlers.add(h);
            return h;
        });
    }

    private TcpConnection connect(RecordingHandler handler) throws Exception {
        return await(TcpClient.connect(group.next(), server.localAddress(), SMALL_RECEIVE_BUFFER, handler));
    }

    private RecordingHandler nextServerHandler() throws InterruptedException {
        RecordingHandler h = serverHandlers.poll(TestSupport.WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(h).as("server accepted a connection").isNotNull();
        return h;
    }

    @Test
    void shutdownOutputDeliversEverythingThenEofAndKeepsReading() throws Exception {
        byte[] payload = pattern(1024 * 1024, 3);
        List<Boolean> writeAfterShutdown = new ArrayList<>();
        bind(h -> h.onOpenAction = c -> {
            TestSupport.writeInSlices(c, payload, 64 * 1024);
            c.shutdownOutput();
            writeAfterShutdown.add(c.write(ByteBuffer.wrap(new byte[1])));
        });
        RecordingHandler client = new RecordingHandler();
        byte[] reply = "after-eof".getBytes(StandardCharsets.US_ASCII);
        // On EOF, answer and then half-close too; the server must still read the answer.
        client.onEndOfInputAction = c -> {
            c.write(ByteBuffer.wrap(reply));
            c.shutdownOutput();
        };
        connect(client);
        RecordingHandler serverSide = nextServerHandler();

        await(client.endOfInput);
        assertThat(client.received()).isEqualTo(payload);
        assertThat(serverSide.awaitBytes(reply.length, Duration.ofSeconds(10))).isEqualTo(reply);
        assertThat(await(serverSide.closed)).isNull();
        assertThat(await(client.closed)).as("both directions done closes the client too").isNull();
        assertThat(writeAfterShutdown).containsExactly(false);
    }

    @Test
    void closeAfterFlushSendsTheWholeQueueThenCloses() throws Exception {
        byte[] payload = pattern(4 * 1024 * 1024, 4);
        CompletableFuture<long[]> state = new CompletableFuture<>();
        bind(h -> h.onOpenAction = c -> {
            TestSupport.writeInSlices(c, payload, 256 * 1024);
            long queued = c.bufferedBytes();
            c.closeAfterFlush();
            boolean refused = !c.write(ByteBuffer.wrap(new byte[1]));
            state.complete(new long[] {queued, refused ? 1 : 0, c.isOpen() ? 1 : 0});
        });
        RecordingHandler client = new RecordingHandler();
        connect(client);
        RecordingHandler serverSide = nextServerHandler();

        long[] s = await(state);
        assertThat(s[0]).as("bytes were queued").isPositive();
        assertThat(s[1]).as("writes refused after closeAfterFlush").isEqualTo(1);
        assertThat(s[2]).as("still open while flushing").isEqualTo(1);
        assertThat(await(client.closed)).isNull();
        assertThat(client.received()).isEqualTo(payload);
        assertThat(await(serverSide.closed)).isNull();
        assertThat(serverSide.closedCalls).hasValue(1);
    }

    @Test
    void onClosedRunsExactlyOnceWhenBothSidesCloseAtOnce() throws Exception {
        bind(h -> {});
        for (int i = 0; i < 30; i++) {
            RecordingHandler client = new RecordingHandler();
            TcpConnection clientConnection = connect(client);
            RecordingHandler serverSide = nextServerHandler();
            TcpConnection serverConnection = await(serverSide.opened);

            clientConnection.loop().execute(clientConnection::close);
            serverConnection.loop().execute(serverConnection::close);

            await(client.closed);
            await(serverSide.closed);
            // Closing again, and draining both loops, must not produce a second call.
            onLoop(clientConnection.loop(), () -> { clientConnection.close(); });
            onLoop(serverConnection.loop(), () -> { serverConnection.close(); });
            for (EventLoop loop : group.loops()) {
                onLoop(loop, () -> {});
            }
            assertThat(client.closedCalls).hasValue(1);
            assertThat(serverSide.closedCalls).hasValue(1);
            assertThat(clientConnection.isOpen()).isFalse();
        }
        assertThat(server.connectionCount()).isZero();
    }

    @Test
    void aNonLoopThreadClosesThroughExecute() throws Exception {
        bind(h -> {});
        RecordingHandler client = new RecordingHandler();
        TcpConnection connection = connect(client);
        RecordingHandler serverSide = nextServerHandler();

        assertThatThrownBy(connection::close)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("TcpConnection.close must be called on event loop thread")
                .hasMessageContaining("execute");
        assertThat(connection.isOpen()).isTrue();

        connection.loop().execute(connection::close);

        assertThat(await(client.closed)).isNull();
        await(serverSide.endOfInput);
        assertThat(await(serverSide.closed)).isNull();
        assertThat(onLoop(connection.loop(), () -> connection.write(ByteBuffer.wrap(new byte[1])))).isFalse();
    }

    @Test
    void aPeerResetClosesWithTheIoError() throws Exception {
        try (java.net.ServerSocket raw = new java.net.ServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress())) {
            RecordingHandler client = new RecordingHandler();
            CompletableFuture<TcpConnection> connecting = TcpClient.connect(group.next(),
                    (java.net.InetSocketAddress) raw.getLocalSocketAddress(), TransportOptions.defaults(), client);
            try (java.net.Socket peer = raw.accept()) {
                await(connecting);
                peer.setSoLinger(true, 0); // close() now sends RST instead of FIN
            }
            Throwable cause = await(client.closed);
            assertThat(cause).isInstanceOf(java.io.IOException.class);
            assertThat(client.closedCalls).hasValue(1);
            assertThat(client.endOfInput).isNotDone();
        }
    }

    @Test
    void closingTheGroupClosesEveryConnectionAndTheListener() throws Exception {
        EventLoopGroup other = new EventLoopGroup(2);
        RecordingHandler serverSide = new RecordingHandler();
        TcpServer otherServer = TcpServer.bind(other, ANY_LOCAL_PORT, TransportOptions.defaults(), () -> serverSide);
        RecordingHandler client = new RecordingHandler();
        await(TcpClient.connect(group.next(), otherServer.localAddress(), TransportOptions.defaults(), client));
        await(serverSide.opened);

        other.close();

        assertThat(await(serverSide.closed)).isNull();
        assertThat(serverSide.closedCalls).hasValue(1);
        await(client.closed);
        assertThat(otherServer.connectionCount()).isZero();
        CompletableFuture<TcpConnection> refused = TcpClient.connect(group.next(), otherServer.localAddress(),
                TransportOptions.defaults(), new RecordingHandler());
        assertThatThrownBy(() -> await(refused)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(ConnectException.class);
        otherServer.close(); // harmless after the group is gone
        assertThatThrownBy(() -> other.next().execute(() -> {}))
                .isInstanceOf(java.util.concurrent.RejectedExecutionException.class)
                .hasMessageContaining("shut down");
    }

    @Test
    void aHandlerExceptionClosesTheConnectionWithThatCause() throws Exception {
        IllegalStateException boom = new IllegalStateException("boom");
        bind(h -> h.onDataAction = (c, data) -> {
            throw boom;
        });
        RecordingHandler client = new RecordingHandler();
        TcpConnection connection = connect(client);
        RecordingHandler serverSide = nextServerHandler();
        onLoop(connection.loop(), () -> connection.write(ByteBuffer.wrap(new byte[] {1})));
        assertThat(await(serverSide.closed)).isSameAs(boom);
        await(client.closed);
    }
}
