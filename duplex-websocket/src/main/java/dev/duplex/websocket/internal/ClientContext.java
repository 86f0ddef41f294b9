package dev.duplex.websocket.internal;

import dev.duplex.protocol.Role;
import dev.duplex.protocol.extension.ExtensionOffer;
import dev.duplex.protocol.extension.deflate.DeflateNegotiation;
import dev.duplex.protocol.handshake.ClientHandshake;
import dev.duplex.protocol.handshake.HttpHeadParser;
import dev.duplex.transport.EventLoopGroup;
import dev.duplex.transport.TcpClient;
import dev.duplex.transport.TransportOptions;
import dev.duplex.websocket.ConnectRequest;
import dev.duplex.websocket.WebSocket;
import dev.duplex.websocket.WebSocketListener;
import dev.duplex.websocket.WebSocketOptions;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/** What the connections of one client share. Thread safe. */
public final class ClientContext implements SessionHost {
    private final EventLoopGroup loops;
    private final WebSocketOptions options;
    private final TransportOptions transport;
    private final Executor listenerExecutor;
    private final SecureRandom random = new SecureRandom();
    private final SessionRegistry sessions = new SessionRegistry();

    public ClientContext(EventLoopGroup loops, WebSocketOptions options, TransportOptions transport, Executor listenerExecutor) {
        this.loops = loops;
        this.options = options;
        this.transport = transport;
        this.listenerExecutor = listenerExecutor;
    }

    public CompletableFuture<WebSocket> connect(ConnectRequest request, WebSocketListener listener) {
        URI uri = request.uri();
        List<ExtensionOffer> extensions = options.compression() == null ? List.of()
                : List.of(DeflateNegotiation.offer(options.compression()));
        ClientHandshake handshake = new ClientHandshake(uri, request.subprotocols(), extensions, request.headers(), random);
        if (uri.getScheme().equalsIgnoreCase("wss")) {
            throw new IllegalArgumentException("wss:// is not supported yet; use ws://");
        }
        int port = uri.getPort() == -1 ? 80 : uri.getPort();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        CompletableFuture<WebSocket> future = new CompletableFuture<>();
        ClientHandshakeStage stage = new ClientHandshakeStage(handshake, listener, future, random, path,
                new HttpHeadParser(options.httpLimits()));
        Session session = new Session(Role.CLIENT, options, listenerExecutor, this, stage);
        sessions.add(session);
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
        TcpClient.connect(loops.next(), new InetSocketAddress(host, port), transport, session)
                .whenComplete((tcp, error) -> {
                    if (error != null) {
                        sessions.remove(session);
                        future.completeExceptionally(error);
                    }
                });
        return future;
    }

    @Override
    public void onSessionClosed(Session session) {
        sessions.remove(session);
    }

    /** Closes every open connection with 1001. */
    public void goingAway() {
        sessions.forEach(session -> session.close(1001, "Client shutting down"));
    }

    /** Waits for every session to close; returns whether they all did in time. */
    public boolean awaitAllClosed(long timeoutNanos) throws InterruptedException {
        return sessions.awaitEmpty(timeoutNanos);
    }

    public int sessionCount() {
        return sessions.size();
    }
}
