package dev.duplex.websocket.internal;

import dev.duplex.protocol.Role;
import dev.duplex.protocol.extension.ExtensionOffer;
import dev.duplex.protocol.extension.deflate.DeflateNegotiation;
import dev.duplex.protocol.handshake.ClientHandshake;
import dev.duplex.protocol.handshake.HttpHeadParser;
import dev.duplex.transport.EventLoop;
import dev.duplex.transport.EventLoopGroup;
import dev.duplex.transport.TcpClient;
import dev.duplex.transport.TlsConfig;
import dev.duplex.transport.TransportOptions;
import dev.duplex.websocket.ConnectRequest;
import dev.duplex.websocket.WebSocket;
import dev.duplex.websocket.WebSocketListener;
import dev.duplex.websocket.WebSocketOptions;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

/** What the connections of one client share. Thread safe. */
public final class ClientContext implements SessionHost {
    private final EventLoopGroup loops;
    private final WebSocketOptions options;
    private final TransportOptions transport;
    private final Executor listenerExecutor;
    private final SecureRandom random = new SecureRandom();
    private final SessionRegistry sessions = new SessionRegistry();
    private final Map<EventLoop, LoopBuffers> loopBuffers = new ConcurrentHashMap<>();
    /** The context for wss://; null: {@link SSLContext#getDefault()}, looked up at the first wss:// connect. */
    private volatile SSLContext sslContext;
    private final boolean verifyHostname;

    public ClientContext(EventLoopGroup loops, WebSocketOptions options, TransportOptions transport, Executor listenerExecutor) {
        this(loops, options, transport, listenerExecutor, null, true);
    }

    /**
     * @param sslContext keys and trust for wss://; null for the JDK default
     * @param verifyHostname whether wss:// checks that the certificate names the URI's host
     */
    public ClientContext(EventLoopGroup loops, WebSocketOptions options, TransportOptions transport, Executor listenerExecutor,
            SSLContext sslContext, boolean verifyHostname) {
        this.loops = loops;
        this.options = options;
        this.transport = transport;
        this.listenerExecutor = listenerExecutor;
        this.sslContext = sslContext;
        this.verifyHostname = verifyHostname;
    }

    public CompletableFuture<WebSocket> connect(ConnectRequest request, WebSocketListener listener) {
        URI uri = request.uri();
        List<ExtensionOffer> extensions = options.compression() == null ? List.of()
                : List.of(DeflateNegotiation.offer(options.compression()));
        ClientHandshake handshake = new ClientHandshake(uri, request.subprotocols(), extensions, request.headers(), random);
        boolean secure = uri.getScheme().equalsIgnoreCase("wss");
        int port = uri.getPort() != -1 ? uri.getPort() : secure ? 443 : 80;
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
        TlsConfig tls = null;
        if (secure) {
            try {
                tls = TlsConfig.client(sslContext(), host);
            } catch (NoSuchAlgorithmException e) {
                return CompletableFuture.failedFuture(e);
            }
            if (!verifyHostname) {
                tls = tls.insecureSkipHostnameVerification();
            }
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        CompletableFuture<WebSocket> future = new CompletableFuture<>();
        ClientHandshakeStage stage = new ClientHandshakeStage(handshake, listener, future, random, path,
                new HttpHeadParser(options.httpLimits()));
        Session session = new Session(Role.CLIENT, options, listenerExecutor, this, stage);
        sessions.add(session);
        TcpClient.connect(loops.next(), new InetSocketAddress(host, port), transport, tls, session.transportHandler())
                .whenComplete((tcp, error) -> {
                    if (error != null) {
                        sessions.remove(session);
                        future.completeExceptionally(explainTlsFailure(error, host));
                    }
                });
        return future;
    }

    private SSLContext sslContext() throws NoSuchAlgorithmException {
        SSLContext context = sslContext;
        if (context == null) {
            context = SSLContext.getDefault();
            sslContext = context;
        }
        return context;
    }

    /**
     * The JDK reports a certificate for another host as "No subject alternative DNS name matching
     * x found": true, but it does not say what to do. This names the host and the ways out, keeping
     * the JDK's exception as the cause.
     */
    static Throwable explainTlsFailure(Throwable error, String host) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (!(e instanceof SSLHandshakeException) || !isHostnameMismatch(e)) {
            return e;
        }
        SSLHandshakeException clear = new SSLHandshakeException("The server's certificate does not match the host '"
                + host + "' (" + e.getMessage() + "). Connect with a name the certificate was issued for (its subject "
                + "alternative names), give the server a certificate that names '" + host + "', or, for testing only, "
                + "skip the check with WebSocketClient.Builder.insecureSkipHostnameVerification()");
        clear.initCause(e);
        return clear;
    }

    private static boolean isHostnameMismatch(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage();
            if ((t instanceof CertificateException || t instanceof SSLHandshakeException) && message != null
                    && (message.startsWith("No subject alternative") || message.startsWith("No name matching"))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public LoopBuffers buffers(EventLoop loop) {
        return loopBuffers.computeIfAbsent(loop, l -> new LoopBuffers());
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
