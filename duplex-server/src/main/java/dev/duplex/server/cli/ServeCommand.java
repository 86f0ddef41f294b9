package dev.duplex.server.cli;

import dev.duplex.conformance.ConformanceLimits;
import dev.duplex.conformance.EchoListener;
import dev.duplex.protocol.Limits;
import dev.duplex.protocol.extension.deflate.DeflateOptions;
import dev.duplex.transport.TransportOptions;
import dev.duplex.websocket.WebSocketOptions;
import dev.duplex.websocket.WebSocketServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code duplex serve}: runs the server with embedded defaults until interrupted. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the Duplex server. Serves an echo endpoint at /echo.")
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

    @Option(names = "--max-connections", defaultValue = "19000", description = "Most simultaneous connections (default: ${DEFAULT-VALUE}).")
    int maxConnections;

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

    @Override
    public Integer call() throws InterruptedException {
        WebSocketServer server = start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // java.util.logging may already be shut down in a hook, so this speaks on stdout.
            System.out.println("Duplex stopping: 1001 to " + server.connectionCount() + " connections");
            server.close();
            System.out.println("Duplex stopped");
            stopped.countDown();
        }, "duplex-shutdown"));
        System.out.println("Duplex listening on ws://" + displayHost() + ":" + server.port() + "/echo (Ctrl+C to stop)");
        stopped.await();
        return 0;
    }

    /** Starts the server as configured; used by {@link #call()} and by tests. */
    WebSocketServer start() {
        Limits limits = ConformanceLimits.AUTOBAHN
                .withMaxMessageBytes(maxMessageSize)
                .withMaxFrameBytes(maxFrameSize)
                .withMaxFragments(maxFragments);
        WebSocketOptions options = WebSocketOptions.defaults()
                .withLimits(limits)
                .withMaxQueuedBytes(maxQueuedBytes)
                .withPingInterval(Duration.ofSeconds(pingIntervalSeconds))
                .withIdleTimeout(Duration.ofSeconds(idleTimeoutSeconds))
                .withCompression(compression ? deflateOptions(compressionContextTakeover) : null);
        return WebSocketServer.builder()
                .route("/echo", EchoListener.INSTANCE)
                .options(options)
                .transport(TransportOptions.defaults().withMaxConnections(maxConnections))
                .eventLoops(eventLoops)
                .start(new InetSocketAddress(host, port));
    }

    /** Conformance-friendly defaults: compress every message, so small ones exercise the code too. */
    static DeflateOptions deflateOptions(boolean contextTakeover) {
        return DeflateOptions.defaults()
                .withThresholdBytes(0)
                .withLocalContextTakeover(contextTakeover)
                .withPeerContextTakeover(contextTakeover);
    }

    private String displayHost() {
        return host.equals("0.0.0.0") ? "localhost" : host;
    }
}
