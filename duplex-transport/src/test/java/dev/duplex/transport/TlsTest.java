package dev.duplex.transport;

import static dev.duplex.transport.TestSupport.ANY_LOCAL_PORT;
import static dev.duplex.transport.TestSupport.await;
import static dev.duplex.transport.TestSupport.onLoop;
import static dev.duplex.transport.TestSupport.pattern;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duplex.testkit.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** TLS inside the transport, over real loopback sockets, against our own peer and the JDK's SSLSocket. */
class TlsTest {
    private static TestCertificates certs;
    private static SSLContext serverContext;
    private static SSLContext clientContext;

    private EventLoopGroup group;

    @BeforeAll
    static void certificates() {
        certs = TestCertificates.create("localhost", "127.0.0.1");
        serverContext = certs.serverContext();
        clientContext = certs.clientContext();
    }

    @BeforeEach
    void start() {
        group = new EventLoopGroup(2);
    }

    @AfterEach
    void stop() {
        group.close();
    }

    private static TlsConfig client() {
        return TlsConfig.client(clientContext, "localhost");
    }

    private TcpConnection connect(TcpServer server, TlsConfig tls, RecordingHandler handler) throws Exception {
        InetSocketAddress to = new InetSocketAddress("localhost", server.localAddress().getPort());
        return await(TcpClient.connect(group.next(), to, TransportOptions.defaults(), tls, handler));
    }

    @Test
    void echoRoundTripsManyWritesInOrderOverTls13ByDefault() throws Exception {
        TlsConfig tls = TlsConfig.server(serverContext);
        try (TcpServer server = TcpServer.bind(group, ANY_LOCAL_PORT, TransportOptions.defaults(), tls,
                TestSupport.EchoHandler::new)) {
            RecordingHandler client = new RecordingHandler();
            TcpConnection connection = connect(server, client(), client);
            assertThat(connection.isOpen()).isTrue();
            assertThat(onLoop(connection.loop(), () -> connection.tlsSession().getProtocol())).isEqualTo("TLSv1.3");

            ByteArrayOutputStream sent = new ByteArrayOutputStream();
            for (int i = 0; i < 500; i++) {
                byte[] message = pattern(1 + (i * 37) % 40_000, i);
                sent.write(message);
                onLoop(connection.loop(), () -> connection.write(ByteBuffer.wrap(message)));
            }
            assertThat(client.awaitBytes(sent.size(), Duration.ofSeconds(30))).isEqualTo(sent.toByteArray());
        }
    }

    @Test
    void onOpenMayWriteAtOnceAndAGatheringWriteIsEncryptedInOrder() throws Exception {
        RecordingHandler serverSide = new RecordingHandler();
        serverSide.onOpenAction = c -> c.write(new ByteBuffer[] {
            ByteBuffer.wrap("hello, ".getBytes(StandardCharsets.US_ASCII)),
            ByteBuffer.wrap("tls".getBytes(StandardCharsets.US_ASCII))});
        try (TcpServer server = TcpServer.bind(group, ANY_LOCAL_PORT, TransportOptions.defaults(),
                TlsConfig.server(serverContext), () -> serverSide)) {
            RecordingHandler client = new RecordingHandler();
            connect(server, client(), client);
            assertThat(new String(client.awaitBytes(10, Duration.ofSeconds(20)), StandardCharsets.US_ASCII))
                    .isEqualTo("hello, tls");
        }
    }

    @Test
    void eightMebibytesThroughTlsWithBackpressureArriveIntact() throws Exception {
        byte[] payload = pattern(8 * 1024 * 1024, 3);
        long watermark = TransportOptions.defaults().writeHighWatermarkBytes();
        CompletableFuture<long[]> afterWriting = new CompletableFuture<>();
        RecordingHandler serverSide = new RecordingHandler();
        serverSide.onOpenAction = c -> {
            TestSupport.writeInSlices(c, payload, 64 * 1024);
            afterWriting.complete(new long[] {c.bufferedBytes(), c.isWritable() ? 1 : 0});
        };
        RecordingHandler clientSide = new RecordingHandler();
        clientSide.onOpenAction = c -> c.setReadInterest(false);
        TransportOptions serverOptions = TransportOptions.defaults().withSocketSendBufferBytes(64 * 1024);
        TransportOptions clientOptions = TransportOptions.defaults().withSocketReceiveBufferBytes(64 * 1024);

        try (TcpServer server = TcpServer.bind(group, ANY_LOCAL_PORT, serverOptions, TlsConfig.server(serverContext),
                () -> serverSide)) {
            InetSocketAddress to = new InetSocketAddress("localhost", server.localAddress().getPort());
            TcpConnection client = await(TcpClient.connect(group.next(), to, clientOptions, client(), clientSide));
            long[] state = await(afterWriting);
            TcpConnection serverConnection = await(serverSide.opened);

            assertThat(state[0]).as("queued ciphertext").isGreaterThan(watermark);
            assertThat(state[0]).as("ciphertext is at least the plaintext still queued").isLessThanOrEqualTo(payload.length + 8L * 1024 * 1024);
            assertThat(state[1]).as("writable").isZero();
            assertThat(serverSide.writableCalls).hasValue(0);

            onLoop(client.loop(), () -> client.setReadInterest(true));
            assertThat(clientSide.awaitBytes(payload.length, Duration.ofSeconds(60))).isEqualTo(payload);
            await(serverSide.writable);
            assertThat(serverSide.writableCalls).hasValue(1);
            assertThat(serverConnection.bufferedBytes()).isZero();
        }
    }

    @Test
    void pausingReadsHoldsDecryptedInputUntilResumed() throws Exception {
        byte[] payload = pattern(1024 * 1024, 9);
        RecordingHandler serverSide = new RecordingHandler();
        serverSide.onOpenAction = c -> TestSupport.writeInSlices(c, payload, 100_000);
        RecordingHandler clientSide = new RecordingHandler();
        CompletableFuture<Integer> pausedAt = new CompletableFuture<>();
        clientSide.onDataAction = (c, data) -> {
            pausedAt.complete(data.remaining());
            c.setReadInterest(false);
            data.position(data.limit());
        };
        try (TcpServer server = TcpServer.bind(group, ANY_LOCAL_PORT, TransportOptions.defaults(),
                TlsConfig.server(serverContext), () -> serverSide)) {
            TcpConnection client = connect(server, client(), clientSide);
            int first = await(pausedAt);
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

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void closeNotifyBothWaysEndsInputOnEachSide(String protocol) throws Exception {
        RecordingHandler serverSide = new RecordingHandler();
        // The server answers the client's close_notify with its own half-close.
        serverSide.onEndOfInputAction = TcpConnection::shutdownOutput;
        RecordingHandler clientSide = new RecordingHandler();
        try (TcpServer server = TcpServer.bind(group, ANY_LOCAL_PORT, TransportOptions.defaults(),
                TlsConfig.server(serverContext).withProtocols(protocol), () -> serverSide)) {
            TcpConnection client = connect(server, client(), clientSide);
            assertThat(onLoop(client.loop(), () -> client.tlsSession().getProtocol())).isEqualTo(protocol);
            TcpConnection serverConnection = await(serverSide.opened);

            onLoop(client.loop(), client::shutdownOutput);

            await(serverSide.endOfInput);
            await(clientSide.endOfInput);
            assertThat(await(serverSide.closed)).isNull();
            assertThat(await(clientSide.closed)).isNull();
            assertThat(serverConnection.tlsCloseNotifyReceived()).as("server got close_notify").isTrue();
            assertThat(client.tlsCloseNotifyReceived()).as("client got close_notify").isTrue();
        }
    }

    @Test
    void jdkSslSocketSeesOurCloseNotifyAndWeSeeItsHalfClose() throws Exception {
        RecordingHandler serverSide = new RecordingHandler();
        serverSide.onOpenAction = c -> {
            c.write(ByteBuffer.wrap("bye".getBytes(StandardCharsets.US_ASCII)));
            c.shutdownOutput();
        };
        serverSide.onEndOfInputAction = c -> { }; // our output is already shut: the connection closes itself
        try (TcpServer server = TcpServer.bind(group, ANY_LOCAL_PORT, TransportOptions.defaults(),
                TlsConfig.server(serverContext), () -> serverSide);
                SSLSocket socket = (SSLSocket) clientContext.getSocketFactory()
                        .createSocket("localhost", server.localAddress().getPort())) {
            socket.setSoTimeout(20_000);
            InputStream in = socket.getInputStream();
            byte[] got = in.readNBytes(3);
            assertThat(new String(got, StandardCharsets.US_ASCII)).isEqualTo("bye");
            assertThat(in.read()).as("close_notify reads as a clean end of stream").isEqualTo(-1);
            assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");

            socket.shutdownOutput(); // TLS 1.3 half-close: close_notify
            await(serverSide.endOfInput);
            assertThat(await(serverSide.closed)).isNull();
            assertThat(await(serverSide.opened).tlsCloseNotifyReceived()).isTrue();
        }
    }

    @Test
    void aClientThatConnectsAndSendsNothingIsClosedAfterTheTlsHandshakeTimeout() throws Exception {
        EventLoopGroup one = new EventLoopGroup(1);
        AtomicInteger handlersMade = new AtomicInteger();
        TransportOptions options = TransportOptions.defaults().withTlsHandshakeTimeout(Duration.ofMillis(300));
        try (TcpServer server = TcpServer.bind(one, ANY_LOCAL_PORT, options, TlsConfig.server(serverContext), () -> {
            handlersMade.incrementAndGet();
            return new RecordingHandler();
        }); Socket silent = new Socket("127.0.0.1", server.localAddress().getPort())) {
            silent.setSoTimeout(20_000);
            long started = System.nanoTime();
            assertThat(silent.getInputStream().read()).as("closed by the server").isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
            assertThat(onLoop(one.next(), server::connectionCount)).isZero();
            assertThat(handlersMade).as("no handler for a connection that never finished TLS").hasValue(0);
        } finally {
            one.close();
        }
    }

    @Test
    void aTlsClientGivesUpOnAServerThatNeverAnswersTheHandshake() throws Exception {
        try (ServerSocket mute = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            TransportOptions options = TransportOptions.defaults().withTlsHandshakeTimeout(Duration.ofMillis(300));
            CompletableFuture<TcpConnection> f = TcpClient.connect(group.next(),
                    new InetSocketAddress("localhost", mute.getLocalPort()), options, client(), new RecordingHandler());
            try (Socket accepted = mute.accept()) {
                assertThatThrownBy(() -> await(f)).isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOf(SocketTimeoutException.class).hasMessageContaining("TLS handshake");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void aServerLimitedToOneProtocolNegotiatesIt(String protocol) throws Exception {
        try (TcpServer server = TcpServer.bind(group, ANY_LOCAL_PORT, TransportOptions.defaults(),
                TlsConfig.server(serverContext).withProtocols(protocol), TestSupport.EchoHandler::new)) {
            RecordingHandler client = new RecordingHandler();
            TcpConnection connection = connect(server, client(), client);
            assertThat(onLoop(connection.loop(), () -> connection.tlsSession().getProtocol())).isEqualTo(protocol);
            byte[] message = pattern(100_000, 1);
            onLoop(connection.loop(), () -> connection.write(ByteBuffer.wrap(message)));
            assertThat(client.awaitBytes(message.length, Duration.ofSeconds(20))).isEqualTo(message);
        }
    }

    @Test
    void noCommonProtocolFailsTheConnectAndNeverReachesTheServersFactory() throws Exception {
        AtomicInteger handlersMade = new AtomicInteger();
        try (TcpServer server = TcpServer.bind(group, ANY_LOCAL_PORT, TransportOptions.defaults(),
                TlsConfig.server(serverContext).withProtocols("TLSv1.3"), () -> {
                    handlersMade.incrementAndGet();
                    return new RecordingHandler();
                })) {
            assertThatThrownBy(() -> connect(server, client().withProtocols("TLSv1.2"), new RecordingHandler()))
                    .cause().isInstanceOf(javax.net.ssl.SSLException.class);
            assertThat(handlersMade).hasValue(0);
        }
    }

    @Test
    void aCertificateForAnotherHostIsRefusedUnlessVerificationIsExplicitlySkipped() throws Exception {
        SSLContext otherHost = certs.withLeafFor("other.example").serverContext();
        try (TcpServer server = TcpServer.bind(group, ANY_LOCAL_PORT, TransportOptions.defaults(),
                TlsConfig.server(otherHost), TestSupport.EchoHandler::new)) {
            assertThatThrownBy(() -> connect(server, client(), new RecordingHandler()))
                    .cause().isInstanceOf(SSLHandshakeException.class);

            RecordingHandler handler = new RecordingHandler();
            TcpConnection connection = connect(server, client().insecureSkipHostnameVerification(), handler);
            onLoop(connection.loop(), () -> connection.write(ByteBuffer.wrap(new byte[] {42})));
            assertThat(handler.awaitBytes(1, Duration.ofSeconds(20))).containsExactly(42);
        }
    }

    @Test
    void anIpAddressIsVerifiedAgainstTheCertificatesIpAddresses() throws Exception {
        try (TcpServer server = TcpServer.bind(group, ANY_LOCAL_PORT, TransportOptions.defaults(),
                TlsConfig.server(serverContext), TestSupport.EchoHandler::new)) {
            RecordingHandler handler = new RecordingHandler();
            TcpConnection connection = await(TcpClient.connect(group.next(), server.localAddress(),
                    TransportOptions.defaults(), TlsConfig.client(clientContext, "127.0.0.1"), handler));
            assertThat(connection.isOpen()).isTrue();
        }
    }

    @Test
    void anUntrustedServerFailsTheConnect() throws Exception {
        SSLContext stranger = TestCertificates.create("localhost").serverContext();
        try (TcpServer server = TcpServer.bind(group, ANY_LOCAL_PORT, TransportOptions.defaults(),
                TlsConfig.server(stranger), TestSupport.EchoHandler::new)) {
            assertThatThrownBy(() -> connect(server, client(), new RecordingHandler()))
                    .cause().isInstanceOf(SSLHandshakeException.class);
        }
    }

    @Test
    void plaintextOverloadsStillWorkAndCarryNoTlsSession() throws Exception {
        try (TcpServer server = TcpServer.bind(group, ANY_LOCAL_PORT, TransportOptions.defaults(), null,
                TestSupport.EchoHandler::new)) {
            RecordingHandler handler = new RecordingHandler();
            TcpConnection connection = await(TcpClient.connect(group.next(), server.localAddress(),
                    TransportOptions.defaults(), null, handler));
            assertThat(onLoop(connection.loop(), connection::tlsSession)).isNull();
        }
    }
}
