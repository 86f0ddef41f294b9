package dev.duplex.bench.peers;

/**
 * A peer server that is listening: its port, and {@link #close()} that stops it and frees its
 * threads and sockets (waiting a bounded time).
 */
public interface RunningPeer extends AutoCloseable {
    /** The port it listens on (the real one when it was started on port 0). */
    int port();

    /** Stops accepting, closes every connection and ends the peer's threads. */
    @Override
    void close();
}
