package dev.duplex.websocket;

import java.util.Map;
import java.util.List;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duplex.protocol.handshake.HandshakeException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** The client refuses every answer that is not a correct 101, and says why. */
class ClientFailureTest {

    /** A one-shot server that reads the request head and answers {@code response}. */
    private static CompletableFuture<Void> answerOnce(ServerSocket listener, String response) {
        return CompletableFuture.runAsync(() -> {
            try (Socket socket = listener.accept()) {
                InputStream in = socket.getInputStream();
                int matched = 0;
                while (matched < 4) {
                    int b = in.read();
                    if (b < 0) {
                        return;
                    }
                    matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ? matched + 1 : 0;
                }
                if (response != null) {
                    socket.getOutputStream().write(response.getBytes(StandardCharsets.ISO_8859_1));
                    socket.getOutputStream().flush();
                }
                socket.setSoTimeout(3_000);
                in.readAllBytes(); // until the client closes
            } catch (Exception ignored) {
                // the client closing on us is the expected end
            }
        });
    }

    private static Throwable connectFailure(String response, Duration handshakeTimeout) throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
                WebSocketClient client = WebSocketClient.builder().handshakeTimeout(handshakeTimeout).build()) {
            CompletableFuture<Void> served = answerOnce(listener, response);
            CompletableFuture<WebSocket> connecting = client.connect(
                    URI.create("ws://127.0.0.1:" + listener.getLocalPort() + "/x"), new WebSocketListener() { });
            try {
                connecting.get(10, TimeUnit.SECONDS);
                throw new AssertionError("connect should have failed");
            } catch (ExecutionException e) {
                served.get(10, TimeUnit.SECONDS);
                return e.getCause();
            }
        }
    }

    @Test
    void nothingListeningFailsWithConnectException() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        try (WebSocketClient client = WebSocketClient.builder().build()) {
            assertThatThrownBy(() -> client.connect(URI.create("ws://127.0.0.1:" + port + "/"), new WebSocketListener() { })
                    .get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(ConnectException.class);
        }
    }

    @Test
    void a426IsAFailureNotATunnel() throws Exception {
        Throwable failure = connectFailure("HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n\r\n", Duration.ofSeconds(5));
        assertThat(failure).isInstanceOf(HandshakeException.class).hasMessageContaining("426");
        assertThat(((HandshakeException) failure).status()).isEqualTo(426);
    }

    @Test
    void a101WithAWrongAcceptIsRefused() throws Exception {
        Throwable failure = connectFailure("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n", Duration.ofSeconds(5));
        assertThat(failure).isInstanceOf(HandshakeException.class).hasMessageContaining("Sec-WebSocket-Accept");
    }

    @Test
    void aSilentServerTimesOut() throws Exception {
        Throwable failure = connectFailure(null, Duration.ofMillis(300));
        assertThat(failure).isInstanceOf(TimeoutException.class).hasMessageContaining("handshake");
    }

    @Test
    void headerInjectionIsRefusedBeforeAnythingIsSent() {
        try (WebSocketClient client = WebSocketClient.builder().build()) {
            assertThatThrownBy(() -> client.connect(URI.create("ws://127.0.0.1:1/"), List.of(),
                    Map.of("X-Evil", "a\r\nHost: other"), new WebSocketListener() { }))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CR, LF");
            assertThatThrownBy(() -> client.connect(URI.create("ws://127.0.0.1:1/"), List.of("chat, evil"),
                    Map.of(), new WebSocketListener() { }))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void onlyWsAndWssSchemesAreAccepted() {
        try (WebSocketClient client = WebSocketClient.builder().build()) {
            assertThatThrownBy(() -> client.connect(URI.create("http://127.0.0.1:1/"), new WebSocketListener() { }))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ws://");
        }
    }
}
