package dev.duplex.websocket.internal;

import dev.duplex.protocol.Connection;
import dev.duplex.protocol.Role;
import dev.duplex.protocol.extension.ExtensionHeader;
import dev.duplex.protocol.extension.deflate.PerMessageDeflate;
import dev.duplex.protocol.handshake.HandshakeRejection;
import dev.duplex.protocol.handshake.HttpHeadParser;
import dev.duplex.protocol.handshake.HttpRequest;
import dev.duplex.protocol.handshake.ServerHandshake;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Server side of the opening handshake: collects the request head (however slowly it arrives,
 * within the handshake timeout), routes it, validates it, and answers 101 or an error status.
 * After an error status nothing more is read from the connection.
 */
final class ServerHandshakeStage implements HandshakeStage {
    private static final System.Logger LOG = System.getLogger("dev.duplex.websocket");

    private final ServerContext server;
    private final HttpHeadParser parser;
    private boolean finished;

    ServerHandshakeStage(ServerContext server) {
        this.server = server;
        this.parser = new HttpHeadParser(server.options().httpLimits());
    }

    @Override
    public void onOpen(Session session) {
        HandshakeRejection refused = server.admit(session);
        if (refused != null) {
            reject(session, refused, null);
        }
    }

    /** Releases the pending-handshake slot exactly once. */
    private void finish() {
        if (!finished) {
            finished = true;
            server.handshakeFinished();
        }
    }

    @Override
    public void onData(Session session, ByteBuffer data) {
        HttpRequest request = null;
        try {
            if (!parser.feed(data)) {
                return;
            }
            request = parser.request();
            Route route = server.route(request.path());
            if (route == null) {
                throw new HandshakeRejection(404, "No WebSocket endpoint at this path");
            }
            ServerContext.NegotiatingPolicy policy = server.policyFor(route);
            ServerHandshake.Accepted accepted = ServerHandshake.accept(request, policy);
            session.tcp().write(ByteBuffer.wrap(accepted.responseBytes(List.of())));
            PerMessageDeflate deflate = policy.compression == null ? null
                    : new PerMessageDeflate(policy.compression, session.output().compression());
            session.compressionReservation(policy.reservedBytes);
            if (!accepted.extensions().isEmpty()) {
                session.extensions(ExtensionHeader.format(accepted.extensions()));
            }
            Connection engine = new Connection(Role.SERVER, session.options().limits(), null, session,
                    session.output().out, deflate);
            engine.memoryBudget(server.messageMemory());
            LOG.log(System.Logger.Level.DEBUG, "Opened {0} from {1}", request.path(), session.tcp().remoteAddress());
            finish();
            session.open(engine, route.listener(), route.path(), accepted.subprotocol()); // shared, not a copy per connection
        } catch (HandshakeRejection rejection) {
            reject(session, rejection, request);
            data.position(data.limit());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Handshake handling failed", e);
            reject(session, new HandshakeRejection(500, "Internal error while handling the handshake"), request);
            data.position(data.limit());
        }
    }

    private void reject(Session session, HandshakeRejection rejection, HttpRequest request) {
        LOG.log(System.Logger.Level.DEBUG, "Rejected handshake from {0}{1}: {2} {3}", session.tcp().remoteAddress(),
                request == null ? "" : " for " + request.path(), rejection.status(), rejection.getMessage());
        server.countRejection();
        finish();
        session.tcp().write(ByteBuffer.wrap(ServerHandshake.rejectionBytes(rejection)));
        session.abandonHandshake();
    }

    @Override
    public void onTimeout(Session session) {
        reject(session, new HandshakeRejection(408, "The request head did not arrive within "
                + session.options().handshakeTimeout().toMillis() + " ms"), null);
    }

    @Override
    public void onClosed(Session session, Throwable cause) {
        finish();
    }
}
