package dev.duplex.bench.peers;

class JavaWebSocketPeerTest extends WebSocketPeerContract {
    @Override
    RunningPeer start() {
        return JavaWebSocketPeer.start(new PeerOptions("127.0.0.1", 0));
    }
}
