package dev.duplex.bench.peers;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * Jetty 12.1 as a peer: the core server ({@link Server}, no Servlet layer) with the Jetty
 * WebSocket API through {@link WebSocketUpgradeHandler}, configured as Jetty's documentation
 * recommends for throughput:
 * <ul>
 *   <li>no Servlet container: the {@code WebSocketUpgradeHandler} sits directly on the core
 *       {@code Server} ("WebSocket without Servlets" in the programming guide), so an upgrade
 *       crosses no Servlet filter chain;</li>
 *   <li>listeners declared {@link Invocable.InvocationType#NON_BLOCKING}: they never block (every
 *       send is asynchronous), so Jetty may call them on the selector thread that read the frame
 *       instead of handing each event to the thread pool;</li>
 *   <li>asynchronous sends only ({@code sendText}/{@code sendBinary} with a callback), never the
 *       blocking variants; a binary echo sends the received {@code ByteBuffer} itself and
 *       completes the read callback only when the send completes (zero copy, Jetty's documented
 *       way to keep a buffer alive across an async send), and {@link Session.Listener.AutoDemanding}
 *       lets Jetty demand the next frame;</li>
 *   <li>no compression: the upgrade response negotiates no extension (Jetty would otherwise accept
 *       permessage-deflate when a client offers it);</li>
 *   <li>16 MiB frame, text and binary message limits; no idle timeout (0 disables it in Jetty);
 *       a 1024 accept queue.</li>
 * </ul>
 * Only {@code /echo} and {@code /broadcast} are mapped; other paths are answered 404.
 */
public final class JettyPeer implements RunningPeer {
    private final Server server;
    private final int port;

    private JettyPeer(Server server, int port) {
        this.server = server;
        this.port = port;
    }

    public static void main(String[] args) {
        PeerOptions.run(args, JettyPeer::start);
    }

    public static JettyPeer start(PeerOptions options) {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(options.host());
        connector.setPort(options.port());
        connector.setAcceptQueueSize(1024);
        connector.setIdleTimeout(0);
        server.addConnector(connector);

        Set<Session> broadcastSessions = ConcurrentHashMap.newKeySet();
        WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(server, container -> configure(container, broadcastSessions));
        server.setHandler(ws);
        server.setStopTimeout(2_000);
        try {
            server.start();
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new IllegalStateException("Jetty did not start: " + e.getMessage(), e);
        }
        return new JettyPeer(server, connector.getLocalPort());
    }

    private static void configure(ServerWebSocketContainer container, Set<Session> broadcastSessions) {
        container.setMaxFrameSize(PeerOptions.MAX_MESSAGE_BYTES);
        container.setMaxTextMessageSize(PeerOptions.MAX_MESSAGE_BYTES);
        container.setMaxBinaryMessageSize(PeerOptions.MAX_MESSAGE_BYTES);
        container.setIdleTimeout(Duration.ZERO);
        container.setInvocationType(Invocable.InvocationType.NON_BLOCKING);
        container.addMapping("/echo", (request, response, callback) -> {
            response.setExtensions(List.of());
            return new Echo();
        });
        container.addMapping("/broadcast", (request, response, callback) -> {
            response.setExtensions(List.of());
            return new Broadcast(broadcastSessions);
        });
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("Jetty did not stop cleanly: " + e.getMessage(), e);
        }
    }

    /** Sends every message back on the same session, asynchronously. */
    public static final class Echo implements Session.Listener.AutoDemanding {
        private Session session;

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
        }

        @Override
        public void onWebSocketText(String message) {
            session.sendText(message, Callback.NOOP);
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            // The payload stays valid until callback completes: hand it to the send, which completes it.
            session.sendBinary(payload, callback);
        }
    }

    /** Sends every message to every open /broadcast session, the sender included. */
    public static final class Broadcast implements Session.Listener.AutoDemanding {
        private final Set<Session> sessions;
        private Session session;

        Broadcast(Set<Session> sessions) {
            this.sessions = sessions;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
            sessions.add(session);
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            sessions.remove(session);
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            sessions.remove(session);
        }

        @Override
        public void onWebSocketText(String message) {
            for (Session member : sessions) {
                member.sendText(message, Callback.NOOP);
            }
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            // One read-only view per member over the same bytes; the read buffer is released once
            // every send has completed.
            AllSent whenAllSent = new AllSent(callback);
            for (Session member : sessions) {
                whenAllSent.pending.incrementAndGet();
                member.sendBinary(payload.slice(), whenAllSent);
            }
            whenAllSent.succeed(); // the 1 it started with
        }
    }

    /** Completes the read callback once every send of one broadcast has completed (or failed). */
    private static final class AllSent implements Callback {
        final AtomicInteger pending = new AtomicInteger(1);
        private final Callback readCallback;

        AllSent(Callback readCallback) {
            this.readCallback = readCallback;
        }

        @Override
        public void succeed() {
            if (pending.decrementAndGet() == 0) {
                readCallback.succeed();
            }
        }

        @Override
        public void fail(Throwable cause) {
            succeed(); // a member that went away does not fail the sender's read
        }
    }
}
