package dev.duplex.transport;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.Channel;
import java.nio.channels.SocketChannel;

/** Socket configuration shared by servers and clients. Stateless. */
final class Sockets {
    private Sockets() {}

    /** Non-blocking plus the options' socket settings; buffer sizes of 0 keep the OS default. */
    static void configure(SocketChannel channel, TransportOptions options) throws IOException {
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, options.tcpNoDelay());
        if (options.socketSendBufferBytes() > 0) {
            channel.setOption(StandardSocketOptions.SO_SNDBUF, options.socketSendBufferBytes());
        }
        if (options.socketReceiveBufferBytes() > 0) {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, options.socketReceiveBufferBytes());
        }
    }

    /** Closes {@code channel}, ignoring failure: used where the channel is being abandoned anyway. */
    static void closeQuietly(Channel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing useful to do: the descriptor is released either way.
        }
    }
}
