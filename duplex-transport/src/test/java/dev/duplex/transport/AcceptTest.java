package dev.duplex.transport;

import static dev.duplex.transport.TestSupport.ANY_LOCAL_PORT;
import static dev.duplex.transport.TestSupport.await;
import static dev.duplex.transport.TestSupport.onLoop;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AcceptTest {
    private EventLoopGroup group;
    private final LinkedBlockingQueue<RecordingHandler> serverHandlers = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() {
        group = new EventLoopGroup(2);
    }

    @AfterEach
    void stop() {
        group.close();
    }

    private TcpServer bind(TransportOptions options) throws IOException {
        return TcpServer.bind(group, ANY_LOCAL_PORT, options, () -> {
            RecordingHandler h = new TestSupport.EchoHandler();
            serverHandlers.add(h);
            return h;
        });
    }

    private RecordingHandler nextServerHandler() throws InterruptedException {
        RecordingHandler h = serverHandlers.poll(TestSupport.WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(h).as("server accepted a connection").isNotNull();
        return h;
    }

    private static void assertEchoes(TcpConnection connection, RecordingHandler handler) throws Exception {
        byte[] ping = {1, 2, 3, 4};
        int before = handler.receivedCount();
        onLoop(connection.loop(), () -> connection.write(ByteBuffer.wrap(ping)));
        handler.awaitBytes(before + ping.length, Duration.ofSeconds(10));
    }

    @Test
    void connectionsBeyondTheLimitAreAcceptedAndClosedAtOnce() throws Exception {
        try (TcpServer server = bind(TransportOptions.defaults().withMaxConnections(2))) {
            RecordingHandler c1 = new RecordingHandler();
            RecordingHandler c2 = new RecordingHandler();
            TcpConnection first = await(TcpClient.connect(group.next(), server.localAddress(), TransportOptions.defaults(), c1));
            await(TcpClient.connect(group.next(), server.localAddress(), TransportOptions.defaults(), c2));
            RecordingHandler s1 = nextServerHandler();
            nextServerHandler();
            assertThat(server.connectionCount()).isEqualTo(2);

            RecordingHandler over = new RecordingHandler();
            await(TcpClient.connect(group.next(), server.localAddress(), TransportOptions.defaults(), over));
            await(over.closed);
            assertThat(server.rejectedConnections()).isEqualTo(1);
            assertThat(server.connectionCount()).isEqualTo(2);
            assertThat(serverHandlers).isEmpty();

            onLoop(first.loop(), () -> { first.close(); });
            await(s1.closed);
            assertThat(server.connectionCount()).isEqualTo(1);

            RecordingHandler again = new RecordingHandler();
            TcpConnection admitted = await(TcpClient.connect(group.next(), server.localAddress(), TransportOptions.defaults(), again));
            assertEchoes(admitted, again);
            assertThat(server.connectionCount()).isEqualTo(2);
        }
    }

    @Test
    void runningOutOfDescriptorsPausesAcceptingThenResumes() throws Exception {
        try (TcpServer server = bind(TransportOptions.defaults())) {
            ServerAcceptor acceptor = server.acceptor();
            AtomicInteger failures = new AtomicInteger();
            onLoop(group.loops().get(0), () -> {
                ServerSocketChannel listener = listenerOf(acceptor);
                acceptor.acceptCall(() -> {
                    if (failures.getAndIncrement() == 0) {
                        throw new IOException("Too many open files");
                    }
                    return listener.accept();
                });
            });

            long start = System.nanoTime();
            RecordingHandler client = new RecordingHandler();
            TcpConnection connection = await(TcpClient.connect(group.next(), server.localAddress(), TransportOptions.defaults(), client));
            await(nextServerHandler().opened);
            long waited = System.nanoTime() - start;

            assertThat(waited).as("accepting paused for the back-off").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(90));
            assertThat(onLoop(group.loops().get(0), acceptor::pauses)).isEqualTo(1);
            assertEchoes(connection, client);
        }
    }

    @Test
    void otherAcceptErrorsDoNotStopTheAcceptLoop() throws Exception {
        try (TcpServer server = bind(TransportOptions.defaults())) {
            ServerAcceptor acceptor = server.acceptor();
            AtomicInteger calls = new AtomicInteger();
            onLoop(group.loops().get(0), () -> {
                ServerSocketChannel listener = listenerOf(acceptor);
                acceptor.acceptCall(() -> {
                    if (calls.getAndIncrement() < 3) {
                        throw new IOException("Software caused connection abort");
                    }
                    return listener.accept();
                });
            });

            RecordingHandler client = new RecordingHandler();
            TcpConnection connection = await(TcpClient.connect(group.next(), server.localAddress(), TransportOptions.defaults(), client));
            await(nextServerHandler().opened);
            assertEchoes(connection, client);
            assertThat(onLoop(group.loops().get(0), acceptor::pauses)).isZero();
        }
    }

    @Test
    void stopAcceptingRefusesNewConnectionsButKeepsExistingOnes() throws Exception {
        try (TcpServer server = bind(TransportOptions.defaults())) {
            RecordingHandler client = new RecordingHandler();
            TcpConnection existing = await(TcpClient.connect(group.next(), server.localAddress(), TransportOptions.defaults(), client));
            nextServerHandler();

            server.stopAccepting();

            CompletableFuture<TcpConnection> refused = TcpClient.connect(group.next(), server.localAddress(),
                    TransportOptions.defaults(), new RecordingHandler());
            assertThatThrownBy(() -> await(refused)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(ConnectException.class);
            assertEchoes(existing, client);
            assertThat(server.connectionCount()).isEqualTo(1);
        }
    }

    @Test
    void serverCloseClosesItsConnections() throws Exception {
        TcpServer server = bind(TransportOptions.defaults());
        List<RecordingHandler> clients = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            RecordingHandler h = new RecordingHandler();
            clients.add(h);
            await(TcpClient.connect(group.next(), server.localAddress(), TransportOptions.defaults(), h));
        }
        for (int i = 0; i < 10; i++) {
            await(nextServerHandler().opened);
        }
        server.close();
        assertThat(server.connectionCount()).isZero();
        for (RecordingHandler h : clients) {
            await(h.closed);
        }
    }

    @Test
    void bindingATakenPortSaysSo() throws Exception {
        try (TcpServer server = bind(TransportOptions.defaults())) {
            assertThatThrownBy(() -> TcpServer.bind(group, server.localAddress(), TransportOptions.defaults(), RecordingHandler::new))
                    .isInstanceOf(java.net.BindException.class)
                    .hasMessageContaining(server.localAddress().toString());
        }
    }

    @Test
    void connectToAClosedPortFailsWithConnectException() throws Exception {
        InetSocketAddress closedPort;
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            probe.bind(ANY_LOCAL_PORT);
            closedPort = (InetSocketAddress) probe.getLocalAddress();
        }
        RecordingHandler handler = new RecordingHandler();
        CompletableFuture<TcpConnection> f = TcpClient.connect(group.next(), closedPort, TransportOptions.defaults(), handler);
        assertThatThrownBy(() -> await(f)).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(ConnectException.class);
        assertThat(handler.opened).isNotDone();
        assertThat(handler.closedCalls).hasValue(0);
    }

    @Test
    void connectTimesOutWhenTheHandshakeIsNeverAnswered() throws Exception {
        // A listener that never accepts, with a backlog of 1: once its queue is full the kernel
        // drops further SYNs, so those connects can only end by our timeout.
        try (ServerSocketChannel stalled = ServerSocketChannel.open()) {
            stalled.bind(ANY_LOCAL_PORT, 1);
            TransportOptions quick = TransportOptions.defaults().withConnectTimeout(Duration.ofMillis(300));
            List<CompletableFuture<TcpConnection>> attempts = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                attempts.add(TcpClient.connect(group.next(), (InetSocketAddress) stalled.getLocalAddress(), quick,
                        new RecordingHandler()));
            }
            int timedOut = 0;
            for (CompletableFuture<TcpConnection> attempt : attempts) {
                try {
                    await(attempt);
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(SocketTimeoutException.class)
                            .hasMessageContaining("timed out after 300 ms");
                    timedOut++;
                }
            }
            assertThat(timedOut).isPositive();
        }
    }

    private static ServerSocketChannel listenerOf(ServerAcceptor acceptor) {
        try {
            java.lang.reflect.Field f = ServerAcceptor.class.getDeclaredField("channel");
            f.setAccessible(true);
            return (ServerSocketChannel) f.get(acceptor);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
