package dev.duplex.bench.peers;

class JettyPeerTest extends WebSocketPeerContract {
    @Override
    RunningPeer start() {
        return JettyPeer.start(new PeerOptions("127.0.0.1", 0));
    }
}
