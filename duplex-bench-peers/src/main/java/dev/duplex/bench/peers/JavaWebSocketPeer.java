package dev.duplex.bench.peers;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.java_websocket.WebSocket;
import org.java_websocket.drafts.Draft;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.exceptions.InvalidDataException;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.handshake.ServerHandshakeBuilder;
import org.java_websocket.protocols.IProtocol;
import org.java_websocket.protocols.Protocol;
import org.java_websocket.server.WebSocketServer;

/**
 * TooTallNate's Java-WebSocket 1.6 as a peer: one {@link WebSocketServer} that routes by the
 * resource descriptor's path, configured as the library's documentation and examples recommend
 * for throughput:
 * <ul>
 *   <li>{@code setTcpNoDelay(true)} (the library leaves Nagle's algorithm on by default, which
 *       delays small echoes) and {@code setReuseAddr(true)};</li>
 *   <li>one decoder (worker) thread per core, the library's default;</li>
 *   <li>broadcast through {@link WebSocketServer#broadcast(String, java.util.Collection)}, which
 *       frames the message once per draft and hands the same frames to every member, instead of
 *       one {@code send} per client;</li>
 *   <li>no compression: a plain {@link Draft_6455} with no extension (permessage-deflate is opt-in
 *       in this library), with a 16 MiB frame limit; fragmented messages are assembled by the
 *       draft;</li>
 *   <li>no idle timeout: the connection-lost check (a ping every 60 s by default) is turned off
 *       with {@code setConnectionLostTimeout(0)}.</li>
 * </ul>
 * Paths other than {@code /echo} and {@code /broadcast} are refused during the handshake.
 */
public final class JavaWebSocketPeer implements RunningPeer {
    private final Server server;
    private final int port;

    private JavaWebSocketPeer(Server server, int port) {
        this.server = server;
        this.port = port;
    }

    public static void main(String[] args) {
        PeerOptions.run(args, JavaWebSocketPeer::start);
    }

    public static JavaWebSocketPeer start(PeerOptions options) {
        Draft draft = new Draft_6455(Collections.emptyList(), List.<IProtocol>of(new Protocol("")),
                PeerOptions.MAX_MESSAGE_BYTES);
        Server server = new Server(new InetSocketAddress(options.host(), options.port()), List.of(draft));
        server.setTcpNoDelay(true);
        server.setReuseAddr(true);
        server.setConnectionLostTimeout(0);
        server.setMaxPendingConnections(1024);
        server.start();
        try {
            if (!server.started.await(10, TimeUnit.SECONDS)) {
                stopQuietly(server);
                throw new IllegalStateException("Java-WebSocket did not start within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopQuietly(server);
            throw new IllegalStateException("interrupted while starting", e);
        }
        Exception failure = server.startFailure.get();
        if (failure != null) {
            stopQuietly(server);
            throw new IllegalStateException("Java-WebSocket did not start: " + failure, failure);
        }
        return new JavaWebSocketPeer(server, server.getPort());
    }

    private static void stopQuietly(Server server) {
        try {
            server.stop(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public void close() {
        try {
            server.stop(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String path(WebSocket conn) {
        String resource = conn.getResourceDescriptor();
        if (resource == null) {
            return "";
        }
        int q = resource.indexOf('?');
        return q < 0 ? resource : resource.substring(0, q);
    }

    private static final class Server extends WebSocketServer {
        final CountDownLatch started = new CountDownLatch(1);
        final AtomicReference<Exception> startFailure = new AtomicReference<>();
        private final Set<WebSocket> broadcastClients = ConcurrentHashMap.newKeySet();

        Server(InetSocketAddress address, List<Draft> drafts) {
            super(address, drafts);
        }

        @Override
        public ServerHandshakeBuilder onWebsocketHandshakeReceivedAsServer(WebSocket conn, Draft draft,
                ClientHandshake request) throws InvalidDataException {
            String resource = request.getResourceDescriptor();
            int q = resource.indexOf('?');
            String path = q < 0 ? resource : resource.substring(0, q);
            if (!path.equals("/echo") && !path.equals("/broadcast")) {
                throw new InvalidDataException(CloseFrame.POLICY_VALIDATION, "no endpoint at " + path);
            }
            return super.onWebsocketHandshakeReceivedAsServer(conn, draft, request);
        }

        @Override
        public void onStart() {
            started.countDown();
        }

        @Override
        public void onOpen(WebSocket conn, ClientHandshake handshake) {
            if (path(conn).equals("/broadcast")) {
                broadcastClients.add(conn);
            }
        }

        @Override
        public void onClose(WebSocket conn, int code, String reason, boolean remote) {
            broadcastClients.remove(conn);
        }

        @Override
        public void onMessage(WebSocket conn, String message) {
            if (broadcastClients.contains(conn)) {
                broadcast(message, broadcastClients);
            } else {
                conn.send(message);
            }
        }

        @Override
        public void onMessage(WebSocket conn, ByteBuffer message) {
            if (broadcastClients.contains(conn)) {
                broadcast(message, broadcastClients);
            } else {
                conn.send(message);
            }
        }

        @Override
        public void onError(WebSocket conn, Exception ex) {
            if (conn == null) {
                // The server itself failed (for example the port is taken).
                startFailure.compareAndSet(null, ex);
                started.countDown();
            } else {
                broadcastClients.remove(conn);
            }
        }
    }
}
