package dev.duplex.websocket.internal;

import dev.duplex.protocol.Connection;
import dev.duplex.protocol.Role;
import dev.duplex.protocol.extension.ExtensionHeader;
import dev.duplex.protocol.extension.ExtensionOffer;
import dev.duplex.protocol.extension.deflate.DeflateAgreement;
import dev.duplex.protocol.extension.deflate.DeflateNegotiation;
import dev.duplex.protocol.extension.deflate.DeflateOptions;
import dev.duplex.protocol.extension.deflate.PerMessageDeflate;
import dev.duplex.protocol.handshake.ClientHandshake;
import dev.duplex.protocol.handshake.HandshakeException;
import dev.duplex.protocol.handshake.HandshakeRejection;
import dev.duplex.protocol.handshake.HttpHeadParser;
import dev.duplex.websocket.WebSocket;
import dev.duplex.websocket.WebSocketListener;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * Client side of the opening handshake: writes the request, reads the response, and completes the
 * connect future with the open {@link WebSocket} or with the reason it failed.
 */
final class ClientHandshakeStage implements HandshakeStage {
    private final ClientHandshake handshake;
    private final WebSocketListener listener;
    private final CompletableFuture<WebSocket> future;
    private final Random maskSource;
    private final String path;
    private final HttpHeadParser parser;

    ClientHandshakeStage(ClientHandshake handshake, WebSocketListener listener, CompletableFuture<WebSocket> future,
            Random maskSource, String path, HttpHeadParser parser) {
        this.handshake = handshake;
        this.listener = listener;
        this.future = future;
        this.maskSource = maskSource;
        this.path = path;
        this.parser = parser;
    }

    @Override
    public void onOpen(Session session) {
        session.tcp().write(ByteBuffer.wrap(handshake.requestBytes()));
    }

    @Override
    public void onData(Session session, ByteBuffer data) {
        try {
            ClientHandshake.Agreed agreed;
            try {
                if (!parser.feed(data)) {
                    return;
                }
                agreed = handshake.validate(parser.response());
            } catch (HandshakeRejection e) {
                throw new HandshakeException(0, "Malformed handshake response: " + e.getMessage());
            }
            PerMessageDeflate deflate = agreedCompression(session, agreed);
            if (!agreed.extensions().isEmpty()) {
                session.extensions(ExtensionHeader.format(agreed.extensions()));
            }
            Connection engine = new Connection(Role.CLIENT, session.config.limits, maskSource, deflate);
            session.open(engine, listener, path, agreed.subprotocol());
            future.complete(session);
        } catch (HandshakeException | RuntimeException e) {
            data.position(data.limit());
            fail(session, e);
        }
    }

    /** Checks the server's permessage-deflate answer; null when the server declined compression. */
    private static PerMessageDeflate agreedCompression(Session session, ClientHandshake.Agreed agreed) throws HandshakeException {
        DeflateOptions options = session.config.compression;
        for (ExtensionOffer extension : agreed.extensions()) {
            if (extension.name().equalsIgnoreCase(DeflateNegotiation.NAME) && options != null) {
                try {
                    DeflateAgreement agreement = DeflateNegotiation.validateResponse(extension, options);
                    return new PerMessageDeflate(agreement, session.buffers().compression());
                } catch (IllegalArgumentException e) {
                    throw new HandshakeException(101, e.getMessage());
                }
            }
        }
        return null;
    }

    @Override
    public void onTimeout(Session session) {
        fail(session, new TimeoutException("The server did not complete the WebSocket handshake within "
                + session.options().handshakeTimeout().toMillis() + " ms"));
    }

    @Override
    public void onClosed(Session session, Throwable cause) {
        future.completeExceptionally(cause != null ? cause
                : new IOException("The server closed the connection during the WebSocket handshake"));
    }

    private void fail(Session session, Throwable error) {
        future.completeExceptionally(error);
        session.refuse();
    }
}
