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
import dev.duplex.protocol.handshake.HttpHeaders;
import dev.duplex.transport.TransportOptions;
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
    private final Config config;
    private final TransportOptions transport;
    private final Executor listenerExecutor;
    private final SecureRandom random = new SecureRandom();
    private final SessionRegistry sessions = new SessionRegistry();
    private final Map<EventLoop, LoopBuffers> loopBuffers = new ConcurrentHashMap<>();
    /** The context for wss://; null: {@link SSLContext#getDefault()}, looked up at the first wss:// connect. */
    private volatile SSLContext sslContext;
    private final boolean verifyHostname;

    /**
     * @param sslContext keys and trust for wss://; null for the JDK default
     * @param verifyHostname whether wss:// checks that the certificate names the URI's host
     */
    public ClientContext(EventLoopGroup loops, WebSocketOptions options, Executor listenerExecutor,
            SSLContext sslContext, boolean verifyHostname) {
        this.loops = loops;
        this.config = new Config(options);
        this.transport = config.transport();
        this.listenerExecutor = listenerExecutor;
        this.sslContext = sslContext;
        this.verifyHostname = verifyHostname;
    }

    /** @param headers extra request headers, in order */
    public CompletableFuture<WebSocket> connect(URI uri, List<String> subprotocols, Map<String, String> headers,
            WebSocketListener listener) {
        List<ExtensionOffer> extensions = config.compression == null ? List.of()
                : List.of(DeflateNegotiation.offer(config.compression));
        List<HttpHeaders.Field> fields = new java.util.ArrayList<>(headers.size());
        headers.forEach((name, value) -> fields.add(new HttpHeaders.Field(name, value)));
        ClientHandshake handshake = new ClientHandshake(uri, subprotocols, extensions, fields, random);
        boolean secure = uri.getScheme().equalsIgnoreCase("wss");
        int port = uri.getPort() != -1 ? uri.getPort() : secure ? 443 : 80;
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
        TlsConfig tls = null;
        if (secure) {
            try {
                tls = TlsConfig.client(sslContext(), host)
                        .withProtocols(config.options.tlsProtocols().toArray(String[]::new));
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
                new HttpHeadParser(config.httpLimits));
        Session session = new Session(Role.CLIENT, config, listenerExecutor, this, stage);
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
                + "skip the check with WebSocketClient.insecureSkipHostnameVerification()");
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
