package dev.duplex.server.cli;

import dev.duplex.conformance.ConformanceLimits;
import dev.duplex.conformance.EchoListener;
import dev.duplex.protocol.Limits;
import dev.duplex.protocol.extension.deflate.DeflateOptions;
import dev.duplex.protocol.handshake.HttpLimits;
import dev.duplex.server.endpoints.BroadcastListener;
import dev.duplex.server.tls.ServerTls;
import dev.duplex.server.tls.TlsSetupException;
import dev.duplex.transport.TransportOptions;
import dev.duplex.websocket.ConnectionLimits;
import dev.duplex.websocket.OriginPolicy;
import dev.duplex.websocket.WebSocketOptions;
import dev.duplex.websocket.WebSocketServer;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code duplex serve}: runs the server with embedded defaults until interrupted. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the Duplex server. Serves an echo endpoint at /echo and a broadcast endpoint at /broadcast.")
final class ServeCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "8080", description = "TCP port (default: ${DEFAULT-VALUE}; 0 = any free port).")
    int port;

    @Option(names = "--host", defaultValue = "0.0.0.0", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--max-message-size", defaultValue = "16777216",
            description = "Largest inbound message in bytes on /echo (default: ${DEFAULT-VALUE}, enough for Autobahn section 9).")
    long maxMessageSize;

    @Option(names = "--max-frame-size", defaultValue = "16777216", description = "Largest inbound frame in bytes (default: ${DEFAULT-VALUE}).")
    long maxFrameSize;

    @Option(names = "--max-fragments", defaultValue = "65536", description = "Most frames per message (default: ${DEFAULT-VALUE}).")
    int maxFragments;

    @Option(names = "--max-queued-bytes", defaultValue = "268435456",
            description = "Most bytes waiting to be sent per connection before it is closed as a slow consumer (default: ${DEFAULT-VALUE}).")
    long maxQueuedBytes;

    @Option(names = "--max-connections", defaultValue = "18000",
            description = "Most simultaneous connections; above it clients get 503 (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--max-connections-per-address", defaultValue = "256",
            description = "Most connections from one IP address; above it clients get 429 (default: ${DEFAULT-VALUE}).")
    int maxConnectionsPerAddress;

    @Option(names = "--max-pending-handshakes", defaultValue = "1024",
            description = "Most connections still in the opening handshake; above it clients get 503 (default: ${DEFAULT-VALUE}).")
    int maxPendingHandshakes;

    @Option(names = "--max-pings-per-second", defaultValue = "100",
            description = "Pings a client may send per second before it is closed with 1008 (default: ${DEFAULT-VALUE}).")
    int maxPingsPerSecond;

    @Option(names = "--max-header-bytes", defaultValue = "16384",
            description = "Largest handshake request head; above it 431 (default: ${DEFAULT-VALUE}).")
    int maxHeaderBytes;

    @Option(names = "--max-headers", defaultValue = "100", description = "Most handshake header lines; above it 431 (default: ${DEFAULT-VALUE}).")
    int maxHeaders;

    @Option(names = "--handshake-timeout", defaultValue = "10",
            description = "Seconds for the whole opening handshake; then 408 (default: ${DEFAULT-VALUE}).")
    long handshakeTimeoutSeconds;

    @Option(names = "--close-timeout", defaultValue = "5",
            description = "Seconds to wait for the client's Close before dropping the connection (default: ${DEFAULT-VALUE}).")
    long closeTimeoutSeconds;

    @Option(names = "--message-memory", defaultValue = "268435456",
            description = "Bytes that incomplete inbound messages of all connections may hold together; "
                    + "a message that would pass it closes its connection with 1013 (default: ${DEFAULT-VALUE}).")
    long messageMemoryBytes;

    @Option(names = "--compression-budget", defaultValue = "67108864",
            description = "Bytes of compression context all connections may keep with --compression-context-takeover; "
                    + "beyond it new connections compress without context takeover (default: ${DEFAULT-VALUE}).")
    long compressionBudgetBytes;

    @Option(names = "--allowed-origin", paramLabel = "ORIGIN",
            description = "Allow browser connections only from this origin, e.g. https://app.example.com or https://*.example.com; "
                    + "repeatable. Default: any origin.")
    List<String> allowedOrigins = new ArrayList<>();

    @Option(names = "--ping-interval", defaultValue = "0", description = "Seconds without input before the server pings; 0 = never (default).")
    long pingIntervalSeconds;

    @Option(names = "--idle-timeout", defaultValue = "0", description = "Seconds without input before closing with 1001; 0 = never (default).")
    long idleTimeoutSeconds;

    @Option(names = "--event-loops", defaultValue = "0", description = "Event loop threads; 0 = one per core (default).")
    int eventLoops;

    @Option(names = "--compression", description = "Accept permessage-deflate offers (off by default: it costs CPU and memory).")
    boolean compression;

    @Option(names = "--compression-context-takeover",
            description = "With --compression, keep compression context across messages both ways: better ratio, ~300 KiB per connection.")
    boolean compressionContextTakeover;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "Serve wss:// with this PEM certificate chain (server certificate first); needs --tls-key.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "PEM private key of --tls-cert: PKCS#8 (PRIVATE KEY), PKCS#1 (RSA PRIVATE KEY) or SEC1 (EC PRIVATE KEY).")
    Path tlsKey;

    @Option(names = "--tls-keystore", paramLabel = "FILE", description = "Serve wss:// with the key and chain of this PKCS#12 file.")
    Path tlsKeystore;

    @Option(names = "--tls-keystore-password", paramLabel = "PASS", defaultValue = "",
            description = "Password of --tls-keystore (default: empty).")
    String tlsKeystorePassword;

    @Option(names = "--tls-self-signed",
            description = "Serve wss:// with a certificate generated at start for localhost, 127.0.0.1 and ::1; prints its "
                    + "SHA-256 fingerprint and the PEM file to trust.")
    boolean tlsSelfSigned;

    /** The TLS the last {@link #start()} used; null without TLS. */
    ServerTls tls;

    @Override
    public Integer call() throws InterruptedException {
        WebSocketServer server;
        try {
            server = start();
        } catch (TlsSetupException e) {
            System.err.println("duplex serve: " + e.getMessage());
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // java.util.logging may already be shut down in a hook, so this speaks on stdout.
            System.out.println("Duplex stopping: 1001 to " + server.connectionCount() + " connections");
            server.close();
            System.out.println("Duplex stopped");
            stopped.countDown();
        }, "duplex-shutdown"));
        if (tls != null) {
            tls.describe().forEach(System.out::println);
        }
        String base = server.scheme() + "://" + displayHost() + ":" + server.port();
        System.out.println("Duplex listening on " + base + "/echo and " + base + "/broadcast (Ctrl+C to stop)");
        stopped.await();
        return 0;
    }

    /**
     * Starts the server as configured; used by {@link #call()} and by tests.
     *
     * @throws TlsSetupException when the TLS options are inconsistent or their files unusable
     */
    WebSocketServer start() {
        tls = loadTls();
        Limits limits = ConformanceLimits.AUTOBAHN
                .withMaxMessageBytes(maxMessageSize)
                .withMaxFrameBytes(maxFrameSize)
                .withMaxFragments(maxFragments);
        WebSocketOptions options = WebSocketOptions.defaults()
                .withLimits(limits)
                .withMaxQueuedBytes(maxQueuedBytes)
                .withPingInterval(Duration.ofSeconds(pingIntervalSeconds))
                .withIdleTimeout(Duration.ofSeconds(idleTimeoutSeconds))
                .withHandshakeTimeout(Duration.ofSeconds(handshakeTimeoutSeconds))
                .withCloseTimeout(Duration.ofSeconds(closeTimeoutSeconds))
                .withMaxPingsPerSecond(maxPingsPerSecond)
                .withHttpLimits(HttpLimits.defaults()
                        .withMaxHeadBytes(maxHeaderBytes)
                        .withMaxRequestLineBytes(Math.min(maxHeaderBytes, HttpLimits.defaults().maxRequestLineBytes()))
                        .withMaxHeaderCount(maxHeaders))
                .withCompression(compression ? deflateOptions(compressionContextTakeover) : null);
        WebSocketServer.Builder builder = WebSocketServer.builder();
        if (tls != null) {
            builder.tls(tls.context());
        }
        if (!allowedOrigins.isEmpty()) {
            builder.originPolicy(OriginPolicy.allow(allowedOrigins));
        }
        return builder
                .route("/echo", EchoListener.INSTANCE)
                .route("/broadcast", new BroadcastListener())
                .options(options)
                .connectionLimits(new ConnectionLimits(maxConnections, maxConnectionsPerAddress, maxPendingHandshakes))
                .messageMemoryBytes(messageMemoryBytes)
                .compressionBudgetBytes(compressionBudgetBytes)
                // The transport's hard limit sits above ours, so over-limit clients still get a 503.
                .transport(TransportOptions.defaults().withMaxConnections(maxConnections + 1_000))
                .eventLoops(eventLoops)
                .start(new InetSocketAddress(host, port));
    }

    /** Conformance-friendly defaults: compress every message, so small ones exercise the code too. */
    static DeflateOptions deflateOptions(boolean contextTakeover) {
        return ConformanceLimits.autobahnCompression(contextTakeover);
    }

    /** The TLS the options ask for, or null; exactly one source may be given. */
    private ServerTls loadTls() {
        int sources = (tlsCert != null || tlsKey != null ? 1 : 0) + (tlsKeystore != null ? 1 : 0) + (tlsSelfSigned ? 1 : 0);
        if (sources > 1) {
            throw new TlsSetupException("Choose one TLS source: --tls-cert with --tls-key, --tls-keystore, or --tls-self-signed");
        }
        if (tlsCert != null || tlsKey != null) {
            if (tlsCert == null || tlsKey == null) {
                throw new TlsSetupException("--tls-cert and --tls-key go together: the certificate chain and its private key");
            }
            return ServerTls.fromPem(tlsCert, tlsKey);
        }
        if (tlsKeystore != null) {
            return ServerTls.fromPkcs12(tlsKeystore, tlsKeystorePassword.toCharArray());
        }
        if (!tlsKeystorePassword.isEmpty()) {
            throw new TlsSetupException("--tls-keystore-password needs --tls-keystore");
        }
        if (tlsSelfSigned) {
            return ServerTls.selfSigned(new File(System.getProperty("java.io.tmpdir")).toPath());
        }
        return null;
    }

    private String displayHost() {
        return host.equals("0.0.0.0") ? "localhost" : host;
    }
}
