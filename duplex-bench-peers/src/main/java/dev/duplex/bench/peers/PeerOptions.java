package dev.duplex.bench.peers;

import java.util.concurrent.CountDownLatch;
import java.util.function.Function;

/**
 * The command line every peer takes, {@code --port N} (0 = any free port, the default) and
 * {@code --host H} (127.0.0.1 by default), and the common {@code main}: start, print exactly one
 * line {@code LISTENING <port>} to stdout once ready, run until the process is told to stop
 * (SIGTERM / SIGINT), then close.
 */
public record PeerOptions(String host, int port) {
    /** The message and HTTP limits every peer uses: 16 MiB. */
    public static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    public static final String USAGE = "[--port N] [--host H]   (N = 0: any free port; H defaults to 127.0.0.1)";

    public static PeerOptions parse(String[] args) {
        String host = "127.0.0.1";
        int port = 0;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value;
            String name;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            } else {
                name = a;
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value after " + a + "; usage: " + USAGE);
                }
                value = args[++i];
            }
            switch (name) {
                case "--port" -> {
                    try {
                        port = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--port takes a number, got '" + value + "'", e);
                    }
                    if (port < 0 || port > 65535) {
                        throw new IllegalArgumentException("--port must be 0..65535, got " + port);
                    }
                }
                case "--host" -> host = value;
                default -> throw new IllegalArgumentException("unknown option '" + a + "'; usage: " + USAGE);
            }
        }
        return new PeerOptions(host, port);
    }

    /**
     * The body of every peer's {@code main}: parses the options, starts the peer, prints
     * {@code LISTENING <port>}, and blocks until the JVM shuts down, closing the peer then.
     */
    public static void run(String[] args, Function<PeerOptions, RunningPeer> starter) {
        PeerOptions options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        RunningPeer peer = starter.apply(options);
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                peer.close();
            } finally {
                closed.countDown();
            }
        }, "peer-shutdown"));
        System.out.println("LISTENING " + peer.port());
        System.out.flush();
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
