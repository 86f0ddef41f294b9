package dev.duplex.bench.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/**
 * The command line the benchmark runner uses: {@code Peers NAME --port 0} in a process of its own
 * prints exactly {@code LISTENING <port>}, serves, and ends on SIGTERM.
 */
class PeersMainTest {
    @Test
    void optionsParse() {
        assertThat(PeerOptions.parse(new String[0])).isEqualTo(new PeerOptions("127.0.0.1", 0));
        assertThat(PeerOptions.parse(new String[] {"--port", "8081", "--host", "0.0.0.0"}))
                .isEqualTo(new PeerOptions("0.0.0.0", 8081));
        assertThat(PeerOptions.parse(new String[] {"--port=9000"})).isEqualTo(new PeerOptions("127.0.0.1", 9000));
        assertThatThrownBy(() -> PeerOptions.parse(new String[] {"--port", "x"})).hasMessageContaining("--port");
        assertThatThrownBy(() -> PeerOptions.parse(new String[] {"--port", "70000"})).hasMessageContaining("0..65535");
        assertThatThrownBy(() -> PeerOptions.parse(new String[] {"--bogus", "1"})).hasMessageContaining("unknown option");
        assertThat(Peers.MAINS).containsOnlyKeys("netty", "jetty", "java-websocket", "vertx", "nio-echo");
    }

    @Test
    void nioEchoAsAProcess() throws IOException {
        try (PeerProcess peer = PeerProcess.startJvmPeer("nio-echo", "--port", "0")) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", peer.port()), 5_000);
                s.setSoTimeout(10_000);
                s.getOutputStream().write("ping".getBytes());
                assertThat(new String(s.getInputStream().readNBytes(4))).isEqualTo("ping");
            }
            assertThat(peer.extraStdout()).isEmpty();
        }
    }

    @Test
    void nettyAsAProcess() {
        try (PeerProcess peer = PeerProcess.startJvmPeer("netty", "--port", "0");
             JdkClient client = JdkClient.connect(peer.port(), "/echo")) {
            client.sendText("over a process");
            assertThat(client.nextText()).isEqualTo("over a process");
            assertThat(peer.extraStdout()).as("stdout after LISTENING").isEmpty();
        }
    }
}
