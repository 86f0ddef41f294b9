package dev.duplex.bench.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The physical floor: a bare JDK NIO TCP echo with no WebSocket at all. It does not parse HTTP
 * or frames and <b>ignores paths</b>: every byte a client sends comes back unchanged, so a load
 * generator that speaks pre-framed WebSocket bytes to it (and reads them back) measures what the
 * kernel, the loopback device and one JDK selector loop per core cost, without any framing,
 * masking, UTF-8 check or dispatch. There is no handshake and no {@code /broadcast}.
 *
 * <p>Built the way the JDK's NIO is meant to be used for throughput: one {@link Selector} thread
 * per core, connections handed to them round-robin by a blocking accept thread; one direct read
 * buffer per loop (64 KiB) shared by its connections, written straight back with no copy;
 * {@code TCP_NODELAY}; a connection whose socket does not take all the bytes keeps only the rest
 * (then waits for {@code OP_WRITE} and stops reading until it has drained: backpressure, not
 * unbounded buffering). No idle timeout.
 */
public final class NioEchoPeer implements RunningPeer {
    private static final int READ_BUFFER_BYTES = 64 * 1024;

    private final ServerSocketChannel server;
    private final List<Loop> loops;
    private final Thread acceptor;
    private final int port;

    private NioEchoPeer(ServerSocketChannel server, List<Loop> loops) {
        this.server = server;
        this.loops = loops;
        this.port = server.socket().getLocalPort();
        this.acceptor = new Thread(this::acceptLoop, "nio-echo-accept");
        this.acceptor.setDaemon(true);
    }

    public static void main(String[] args) {
        PeerOptions.run(args, NioEchoPeer::start);
    }

    public static NioEchoPeer start(PeerOptions options) {
        ServerSocketChannel server = null;
        List<Loop> loops = new ArrayList<>();
        try {
            server = ServerSocketChannel.open();
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(new InetSocketAddress(options.host(), options.port()), 1024);
            int n = Runtime.getRuntime().availableProcessors();
            for (int i = 0; i < n; i++) {
                loops.add(new Loop("nio-echo-loop-" + i));
            }
        } catch (IOException e) {
            for (Loop loop : loops) {
                loop.shutdown();
            }
            if (server != null) {
                try {
                    server.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw new UncheckedIOException("NIO echo did not start: " + e.getMessage(), e);
        }
        NioEchoPeer peer = new NioEchoPeer(server, loops);
        for (Loop loop : loops) {
            loop.thread.start();
        }
        peer.acceptor.start();
        return peer;
    }

    private void acceptLoop() {
        int next = 0;
        while (server.isOpen()) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // EMFILE and the like: back off a little instead of spinning.
                try {
                    Thread.sleep(10);
                } catch (InterruptedException ie) {
                    return;
                }
                continue;
            }
            loops.get(next).adopt(channel);
            next = (next + 1) % loops.size();
        }
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        try {
            acceptor.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Loop loop : loops) {
            loop.shutdown();
        }
        for (Loop loop : loops) {
            try {
                loop.thread.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** One selector thread; its connections' pending bytes hang off their keys. */
    private static final class Loop implements Runnable {
        final Thread thread;
        private final Selector selector;
        private final Queue<SocketChannel> incoming = new ConcurrentLinkedQueue<>();
        private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
        private final java.util.function.Consumer<SelectionKey> onReady = this::handle;
        private volatile boolean running = true;

        Loop(String name) throws IOException {
            this.selector = Selector.open();
            this.thread = new Thread(this, name);
            this.thread.setDaemon(true);
        }

        void adopt(SocketChannel channel) {
            incoming.add(channel);
            selector.wakeup();
        }

        void shutdown() {
            running = false;
            selector.wakeup();
        }

        @Override
        public void run() {
            try {
                while (running) {
                    // Ready keys go straight to handle: no selected-key set entry per key, no garbage.
                    selector.select(onReady);
                    registerIncoming();
                }
            } catch (IOException e) {
                // the selector broke: fall through and close everything
            } finally {
                for (SelectionKey key : selector.keys()) {
                    closeQuietly(key);
                }
                SocketChannel orphan;
                while ((orphan = incoming.poll()) != null) {
                    try {
                        orphan.close();
                    } catch (IOException ignored) {
                        // closing anyway
                    }
                }
                try {
                    selector.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }

        private void registerIncoming() {
            SocketChannel channel;
            while ((channel = incoming.poll()) != null) {
                try {
                    channel.configureBlocking(false);
                    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    channel.register(selector, SelectionKey.OP_READ);
                } catch (IOException e) {
                    try {
                        channel.close();
                    } catch (IOException ignored) {
                        // closing anyway
                    }
                }
            }
        }

        private void handle(SelectionKey key) {
            SocketChannel channel = (SocketChannel) key.channel();
            try {
                if (key.isValid() && key.isWritable()) {
                    ByteBuffer pending = (ByteBuffer) key.attachment();
                    channel.write(pending);
                    if (pending.hasRemaining()) {
                        return;
                    }
                    key.attach(null);
                    key.interestOps(SelectionKey.OP_READ);
                }
                if (key.isValid() && key.isReadable()) {
                    readBuffer.clear();
                    int n = channel.read(readBuffer);
                    if (n < 0) {
                        closeQuietly(key);
                        return;
                    }
                    if (n == 0) {
                        return;
                    }
                    readBuffer.flip();
                    channel.write(readBuffer);
                    if (readBuffer.hasRemaining()) {
                        ByteBuffer rest = ByteBuffer.allocate(readBuffer.remaining());
                        rest.put(readBuffer).flip();
                        key.attach(rest);
                        key.interestOps(SelectionKey.OP_WRITE);
                    }
                }
            } catch (IOException | java.nio.channels.CancelledKeyException e) {
                closeQuietly(key);
            }
        }

        private static void closeQuietly(SelectionKey key) {
            key.cancel();
            try {
                key.channel().close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
