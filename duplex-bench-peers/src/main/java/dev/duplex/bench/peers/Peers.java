package dev.duplex.bench.peers;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The main class of {@code peers.jar}: {@code java -jar peers.jar NAME [--port N] [--host H]}
 * runs the named peer's {@code main} with the remaining arguments. Names: {@code netty},
 * {@code jetty}, {@code java-websocket}, {@code vertx}, {@code nio-echo}. Node's {@code ws} is
 * {@code node duplex-bench-peers/node/peer.mjs}.
 */
public final class Peers {
    /** Every JVM peer by its command-line name, in a stable order. */
    public static final Map<String, Consumer<String[]>> MAINS;

    static {
        Map<String, Consumer<String[]>> m = new LinkedHashMap<>();
        m.put("netty", NettyPeer::main);
        m.put("jetty", JettyPeer::main);
        m.put("java-websocket", JavaWebSocketPeer::main);
        m.put("vertx", VertxPeer::main);
        m.put("nio-echo", NioEchoPeer::main);
        MAINS = java.util.Collections.unmodifiableMap(m);
    }

    private Peers() {
    }

    public static void main(String[] args) {
        if (args.length == 0 || !MAINS.containsKey(args[0])) {
            System.err.println((args.length == 0 ? "no peer named" : "unknown peer '" + args[0] + "'")
                    + "; usage: java -jar peers.jar " + String.join("|", MAINS.keySet()) + " " + PeerOptions.USAGE);
            System.exit(2);
            return;
        }
        MAINS.get(args[0]).accept(Arrays.copyOfRange(args, 1, args.length));
    }
}
