package dev.duplex.bench.peers;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VertxPeerTest extends WebSocketPeerContract {
    @Override
    RunningPeer start() {
        return VertxPeer.start(new PeerOptions("127.0.0.1", 0));
    }

    /** On the benchmark machine (Linux x86-64) Vert.x must run on its native (epoll) transport. */
    @Test
    void usesNativeTransportOnLinuxX86() {
        if (NativeTransport.expected()) {
            try (VertxPeer peer = VertxPeer.start(new PeerOptions("127.0.0.1", 0))) {
                assertThat(peer.nativeTransport()).as("Vert.x native transport").isTrue();
            }
        }
    }
}
