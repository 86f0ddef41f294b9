package dev.duplex.websocket;

/**
 * How many connections a server admits, checked when a connection opens: above a limit the
 * client gets an HTTP answer it can act on (with {@code Retry-After}) instead of a dropped socket.
 *
 * @param maxConnections open connections in all states; default 18,000, under the transport's
 *     hard limit (19,000, which protects file descriptors by closing without an answer). Exceeded: 503.
 * @param maxConnectionsPerAddress open connections from one remote IP address; default 256, so one
 *     host cannot take all of them. Exceeded: 429.
 * @param maxPendingHandshakes connections that have not finished the opening handshake; default
 *     1,024, so slow or silent clients (slowloris) cannot crowd out real ones. Exceeded: 503.
 */
public record ConnectionLimits(int maxConnections, int maxConnectionsPerAddress, int maxPendingHandshakes) {
    private static final ConnectionLimits DEFAULTS = new ConnectionLimits(18_000, 256, 1_024);

    public ConnectionLimits {
        if (maxConnections <= 0 || maxConnectionsPerAddress <= 0 || maxPendingHandshakes <= 0) {
            throw new IllegalArgumentException("Connection limits must be positive: " + maxConnections + ", "
                    + maxConnectionsPerAddress + ", " + maxPendingHandshakes);
        }
    }

    public static ConnectionLimits defaults() {
        return DEFAULTS;
    }

    public ConnectionLimits withMaxConnections(int value) {
        return new ConnectionLimits(value, maxConnectionsPerAddress, maxPendingHandshakes);
    }

    public ConnectionLimits withMaxConnectionsPerAddress(int value) {
        return new ConnectionLimits(maxConnections, value, maxPendingHandshakes);
    }

    public ConnectionLimits withMaxPendingHandshakes(int value) {
        return new ConnectionLimits(maxConnections, maxConnectionsPerAddress, value);
    }
}
