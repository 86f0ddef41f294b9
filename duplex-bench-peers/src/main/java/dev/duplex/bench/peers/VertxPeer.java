package dev.duplex.bench.peers;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Vert.x 5 as a peer: {@link HttpServer#webSocketHandler} on {@code /echo} and
 * {@code /broadcast}, configured as Vert.x's documentation recommends for throughput:
 * <ul>
 *   <li>the native epoll transport ({@code setPreferNativeTransport(true)}, with
 *       {@code netty-transport-native-epoll} on the class path); {@link #nativeTransport()} tells
 *       whether it was picked up;</li>
 *   <li>one server verticle instance per event loop, one event loop per core ("scaling: deploy
 *       more instances"; the instances share the listening socket and Vert.x spreads connections
 *       across them), since a server created outside a verticle runs on a single event loop;</li>
 *   <li>{@code maxWebSocketFrameSize} and {@code maxWebSocketMessageSize} raised to 16 MiB (the
 *       defaults are 64 KiB and 256 KiB); whole messages through {@code textMessageHandler} /
 *       {@code binaryMessageHandler}, which assemble fragments;</li>
 *   <li>no compression (per-message and per-frame deflate support off), no idle timeout (0),
 *       {@code TCP_NODELAY}, a 1024 accept backlog;</li>
 *   <li>broadcast iterates the set of open {@code /broadcast} sockets and writes the received
 *       message to each ({@code writeTextMessage} / {@code writeBinaryMessage}; writes to a socket
 *       of another event loop are handed to it by Vert.x).</li>
 * </ul>
 * The path is checked in the handshake handler: other paths are rejected with 404.
 */
public final class VertxPeer implements RunningPeer {
    private final Vertx vertx;
    private final int port;

    private VertxPeer(Vertx vertx, int port) {
        this.vertx = vertx;
        this.port = port;
    }

    public static void main(String[] args) {
        PeerOptions.run(args, VertxPeer::start);
    }

    public static VertxPeer start(PeerOptions options) {
        int loops = Runtime.getRuntime().availableProcessors();
        Vertx vertx = Vertx.vertx(new VertxOptions()
                .setPreferNativeTransport(true)
                .setEventLoopPoolSize(loops));
        Set<ServerWebSocket> broadcastSockets = ConcurrentHashMap.newKeySet();
        try {
            // Vert.x shares a listening socket between the instances that listen on the same
            // requested host and port, but not on port 0 (each would get a port of its own): for
            // port 0, pick a free port first, then have every instance listen on it.
            int attempts = options.port() == 0 ? 3 : 1;
            for (int attempt = 1; ; attempt++) {
                int port = options.port() == 0 ? freePort(options.host()) : options.port();
                try {
                    await(vertx.deployVerticle(() -> new ServerVerticle(options.host(), port, broadcastSockets),
                            new DeploymentOptions().setInstances(loops)));
                    return new VertxPeer(vertx, port);
                } catch (IllegalStateException e) {
                    if (attempt >= attempts) {
                        throw e;
                    }
                    // another process took the port in between: try another one
                }
            }
        } catch (RuntimeException e) {
            closeQuietly(vertx);
            throw e;
        }
    }

    private static int freePort(String host) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, 0));
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on " + host + ": " + e.getMessage(), e);
        }
    }

    /** Whether Vert.x runs on the native (epoll) transport. */
    public boolean nativeTransport() {
        return vertx.isNativeTransportEnabled();
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting Vert.x", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Vert.x did not start: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Vert.x did not start within 10 s", e);
        }
    }

    private static void closeQuietly(Vertx vertx) {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // best effort
        }
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public void close() {
        closeQuietly(vertx);
    }

    private static final class ServerVerticle extends VerticleBase {
        private final String host;
        private final int port;
        private final Set<ServerWebSocket> broadcastSockets;

        ServerVerticle(String host, int port, Set<ServerWebSocket> broadcastSockets) {
            this.host = host;
            this.port = port;
            this.broadcastSockets = broadcastSockets;
        }

        @Override
        public Future<?> start() {
            HttpServerOptions options = new HttpServerOptions()
                    .setHost(host)
                    .setPort(port)
                    .setTcpNoDelay(true)
                    .setAcceptBacklog(1024)
                    .setIdleTimeout(0)
                    .setCompressionSupported(false)
                    .setPerMessageWebSocketCompressionSupported(false)
                    .setPerFrameWebSocketCompressionSupported(false)
                    .setMaxWebSocketFrameSize(PeerOptions.MAX_MESSAGE_BYTES)
                    .setMaxWebSocketMessageSize(PeerOptions.MAX_MESSAGE_BYTES);
            HttpServer server = vertx.createHttpServer(options);
            server.webSocketHandshakeHandler(handshake -> {
                String path = handshake.path();
                if ("/echo".equals(path) || "/broadcast".equals(path)) {
                    handshake.accept();
                } else {
                    handshake.reject(404);
                }
            });
            server.webSocketHandler(ws -> {
                ws.exceptionHandler(failure -> ws.close());
                if ("/broadcast".equals(ws.path())) {
                    broadcastSockets.add(ws);
                    ws.closeHandler(v -> broadcastSockets.remove(ws));
                    ws.textMessageHandler(this::broadcastText);
                    ws.binaryMessageHandler(this::broadcastBinary);
                } else {
                    ws.textMessageHandler(ws::writeTextMessage);
                    ws.binaryMessageHandler(ws::writeBinaryMessage);
                }
            });
            server.requestHandler(request -> request.response().setStatusCode(426).end("WebSocket only: /echo or /broadcast\n"));
            return server.listen();
        }

        private void broadcastText(String text) {
            for (ServerWebSocket member : broadcastSockets) {
                member.writeTextMessage(text);
            }
        }

        private void broadcastBinary(Buffer bytes) {
            for (ServerWebSocket member : broadcastSockets) {
                member.writeBinaryMessage(bytes);
            }
        }
    }
}
