package dev.duplex.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP proxy in front of a server (a hub, Redis, a broker) that a test can break the way
 * networks break: reset every connection, freeze connections (nothing passes, nothing closes),
 * hold back only what the server sends, or refuse new connections (the server is unreachable).
 */
public final class FaultProxy implements AutoCloseable {
    private volatile int targetPort;
    private final ServerSocket listener;
    private final List<Pair> pairs = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile boolean refuse;
    private volatile boolean closed;

    public FaultProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.acceptor = new Thread(this::acceptLoop, "fault-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /**
     * New connections go to {@code port} from now on; open ones stay where they are. With
     * {@link #cut} first, the proxy is a load balancer taking a dead server out of rotation.
     */
    public void retarget(int port) {
        this.targetPort = port;
    }

    /** While true, new connections are accepted and reset at once. */
    public void refuseNew(boolean value) {
        this.refuse = value;
    }

    /** Resets every open connection (both sides see the TCP connection die). */
    public void dropAll() {
        for (Pair p : pairs) {
            p.close();
        }
    }

    /** The server is unreachable: open connections reset, new ones refused (until {@link #restore}). */
    public void cut() {
        refuseNew(true);
        dropAll();
    }

    public void restore() {
        refuseNew(false);
    }

    /** Stops forwarding in both directions on every open connection, without closing anything. */
    public void freezeAll() {
        for (Pair p : pairs) {
            p.upFrozen = true;
            p.downFrozen = true;
        }
    }

    /** Stops forwarding server-to-client bytes on every open connection; client-to-server bytes still pass. */
    public void holdDownstream() {
        for (Pair p : pairs) {
            p.downFrozen = true;
        }
    }

    /** Connections currently open through the proxy. */
    public int openConnections() {
        int n = 0;
        for (Pair p : pairs) {
            if (!p.closed) {
                n++;
            }
        }
        return n;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return;
            }
            if (refuse) {
                reset(client);
                continue;
            }
            try {
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                server.setTcpNoDelay(true);
                client.setTcpNoDelay(true);
                Pair pair = new Pair(client, server);
                pairs.add(pair);
                pair.start();
            } catch (IOException e) {
                reset(client);
            }
        }
    }

    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        dropAll();
        try {
            acceptor.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Pair {
        final Socket client;
        final Socket server;
        volatile boolean upFrozen;
        volatile boolean downFrozen;
        volatile boolean closed;

        Pair(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void start() {
            Thread up = new Thread(() -> pump(client, server, true), "fault-proxy-up");
            Thread down = new Thread(() -> pump(server, client, false), "fault-proxy-down");
            up.setDaemon(true);
            down.setDaemon(true);
            up.start();
            down.start();
        }

        private void pump(Socket from, Socket to, boolean upstream) {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                while (!closed) {
                    if (upstream ? upFrozen : downFrozen) {
                        Thread.sleep(5); // leave the bytes in the kernel: nothing passes, nothing closes
                        continue;
                    }
                    int n = in.read(buffer);
                    if (n < 0) {
                        // The end of the stream passes on as a close, unless the link froze while we
                        // were blocked in read: then not even the close gets through (the peer must
                        // find out by itself, as it would behind a dead link).
                        while (!closed && (upstream ? upFrozen : downFrozen)) {
                            Thread.sleep(5);
                        }
                        break;
                    }
                    // Frozen while we were blocked in read: what was read is lost, as on a dead link.
                    if (upstream ? upFrozen : downFrozen) {
                        continue;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // the other pump or a test closed the pair
            } finally {
                close();
            }
        }

        void close() {
            if (closed) {
                return;
            }
            closed = true;
            reset(client);
            reset(server);
            pairs.remove(this);
        }
    }
}
