package dev.duplex.bench.peers;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.epoll.Epoll;
import org.junit.jupiter.api.Test;

class NettyPeerTest extends WebSocketPeerContract {
    @Override
    RunningPeer start() {
        return NettyPeer.start(new PeerOptions("127.0.0.1", 0));
    }

    /** On the benchmark machine (Linux x86-64) Netty must run on epoll, as its docs recommend. */
    @Test
    void usesEpollOnLinuxX86() {
        if (NativeTransport.expected()) {
            assertThat(NettyPeer.epoll())
                    .as("Netty's epoll transport should load here: %s", Epoll.unavailabilityCause())
                    .isTrue();
        }
    }
}
