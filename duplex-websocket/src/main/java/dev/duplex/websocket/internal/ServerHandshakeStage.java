package dev.duplex.websocket.internal;

import dev.duplex.protocol.Connection;
import dev.duplex.protocol.Role;
import dev.duplex.protocol.extension.ExtensionHeader;
import dev.duplex.protocol.extension.deflate.PerMessageDeflate;
import dev.duplex.protocol.handshake.HandshakeRejection;
import dev.duplex.protocol.handshake.HttpHeadParser;
import dev.duplex.protocol.handshake.HttpRequest;
import dev.duplex.protocol.handshake.ServerHandshake;
import dev.duplex.transport.EventLoop;
import dev.duplex.websocket.HttpCall;
import dev.duplex.websocket.HttpReply;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * Server side of the opening handshake: collects the request head (however slowly it arrives,
 * within the handshake timeout), routes it, validates it, and answers 101 or an error status.
 * After an error status nothing more is read from the connection.
 *
 * <p>With an HTTP handler, a request that is not a WebSocket upgrade becomes a
 * {@link PlainHttpExchange} instead: its body is collected (within the same timeout), the handler
 * runs off the loop, and its reply is written back on the loop before the connection is closed
 * the way a refusal closes it.
 */
final class ServerHandshakeStage implements HandshakeStage {
    private static final System.Logger LOG = System.getLogger("dev.duplex.websocket");

    /** Where a plain HTTP request is: collecting its body, with the handler, answered (or the connection closed). */
    private enum HttpPhase { BODY, HANDLER, DONE }

    private final ServerContext server;
    private final HttpHeadParser parser;
    private boolean finished;
    private PlainHttpExchange http;
    private HttpPhase httpPhase;

    ServerHandshakeStage(ServerContext server) {
        this.server = server;
        this.parser = new HttpHeadParser(server.config().httpLimits);
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
        if (http != null) {
            if (httpPhase == HttpPhase.BODY) {
                receiveBody(session, data);
            }
            data.position(data.limit()); // after the body: not read as a request (one request per connection)
            return;
        }
        HttpRequest request = null;
        try {
            if (!parser.feed(data)) {
                return;
            }
            request = parser.request();
            if (server.httpHandler() != null && !request.headers().hasToken("Upgrade", "websocket")) {
                startHttp(session, request, data);
                return;
            }
            Route route = server.route(request.path());
            if (route == null) {
                throw new HandshakeRejection(404, "No WebSocket endpoint at this path");
            }
            ServerContext.NegotiatingPolicy policy = server.policyFor(route);
            ServerHandshake.Accepted accepted = ServerHandshake.accept(request, policy);
            session.tcp().write(ByteBuffer.wrap(accepted.responseBytes(List.of())));
            if (session.state() == SessionState.CLOSED) {
                // The peer reset the connection under the answer (the write failed and closed it): there is
                // nothing to open, and nobody to tell; the transport reported the close already.
                finish();
                return;
            }
            PerMessageDeflate deflate = policy.compression == null ? null
                    : new PerMessageDeflate(policy.compression, session.buffers().compression());
            session.compressionReservation(policy.reservedBytes);
            if (!accepted.extensions().isEmpty()) {
                session.extensions(ExtensionHeader.format(accepted.extensions()));
            }
            Connection engine = new Connection(Role.SERVER, session.config.limits, null, deflate);
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
        session.refuse();
    }

    // ------------------------------------------------------------ plain HTTP

    private void startHttp(Session session, HttpRequest request, ByteBuffer data) {
        try {
            http = PlainHttpExchange.begin(request, server.maxHttpBodyBytes());
        } catch (HandshakeRejection rejection) {
            refuseHttp(session, rejection, PlainHttpExchange.printable(request.path()));
            data.position(data.limit());
            return;
        }
        httpPhase = HttpPhase.BODY;
        if (http.expectsContinue() && !data.hasRemaining()) {
            session.tcp().write(ByteBuffer.wrap(PlainHttpExchange.CONTINUE));
        }
        receiveBody(session, data);
    }

    private void receiveBody(Session session, ByteBuffer data) {
        if (!http.feed(data)) {
            return;
        }
        httpPhase = HttpPhase.HANDLER;
        Function<HttpCall, HttpReply> handler = server.httpHandler();
        HttpCall call = http.call(session.remoteAddress());
        String pathForLog = http.pathForLog();
        boolean headOnly = http.isHead();
        EventLoop loop = session.tcp().loop();
        server.httpStarted(session);
        Runnable task = () -> {
            HttpReply reply = PlainHttpExchange.internalError();
            try {
                reply = PlainHttpExchange.handle(handler, call, pathForLog);
            } finally { // an Error still gets its 500 before it propagates
                byte[] response = PlainHttpExchange.encode(reply, headOnly);
                int status = reply.status();
                try {
                    loop.execute(() -> answerHttp(session, response, status));
                } catch (RejectedExecutionException stopped) {
                    // The server has stopped: the connection is gone already.
                }
            }
        };
        try {
            server.httpExecutor().execute(task);
        } catch (RejectedExecutionException e) {
            LOG.log(System.Logger.Level.WARNING, "The HTTP executor refused {0} {1}; answered 503", http.method(), pathForLog);
            answerHttp(session, PlainHttpExchange.encode(HttpReply.text(503, "The server is too busy; retry later\n")
                    .withHeader("Retry-After", "5"), headOnly), 503);
        }
    }

    /** On the loop: writes the handler's reply (unless the connection closed meanwhile), then closes by lingering. */
    private void answerHttp(Session session, byte[] response, int status) {
        if (httpPhase != HttpPhase.HANDLER) {
            return;
        }
        httpPhase = HttpPhase.DONE;
        server.httpAnswered(session);
        LOG.log(System.Logger.Level.DEBUG, "HTTP {0} {1} from {2}: {3}", http.method(), http.pathForLog(),
                session.remoteAddress(), status);
        finish();
        session.tcp().write(ByteBuffer.wrap(response));
        session.refuse();
    }

    /** A plain HTTP request the server refuses itself (framing, timeout): plain text, counted as a rejection. */
    private void refuseHttp(Session session, HandshakeRejection rejection, String path) {
        LOG.log(System.Logger.Level.DEBUG, "Refused HTTP request from {0} for {1}: {2} {3}", session.tcp().remoteAddress(),
                path, rejection.status(), rejection.getMessage());
        httpPhase = HttpPhase.DONE;
        server.countRejection();
        finish();
        session.tcp().write(ByteBuffer.wrap(PlainHttpExchange.refusalBytes(rejection)));
        session.refuse();
    }

    // ------------------------------------------------------------ both

    @Override
    public void onTimeout(Session session) {
        if (http == null) {
            reject(session, new HandshakeRejection(408, "The request head did not arrive within "
                    + session.options().handshakeTimeout().toMillis() + " ms"), null);
        } else if (httpPhase == HttpPhase.BODY) {
            refuseHttp(session, new HandshakeRejection(408, "The request body did not arrive within "
                    + session.options().handshakeTimeout().toMillis() + " ms"), http.pathForLog());
        }
        // With the handler: the handshake timeout covers receiving the request, not answering it.
    }

    /** A client may half-close once its request is sent: the handler's answer still goes out. */
    @Override
    public boolean answerPending(Session session) {
        return httpPhase == HttpPhase.HANDLER;
    }

    @Override
    public void onClosed(Session session, Throwable cause) {
        if (httpPhase == HttpPhase.HANDLER) {
            httpPhase = HttpPhase.DONE; // the handler's reply, when it comes, is dropped
            server.httpAnswered(session);
        }
        finish();
    }
}
