package dev.duplex.bench.peers;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every WebSocket peer must do, checked with the JDK's {@code java.net.http.WebSocket}
 * client on loopback: {@code /echo} returns text and a 64 KiB binary message unchanged,
 * {@code /broadcast} delivers a message from one client to every client (sender included), and an
 * unknown path does not upgrade. Each test starts the peer on port 0 and stops it afterwards.
 */
abstract class WebSocketPeerContract {
    private RunningPeer peer;

    /** Starts the peer on 127.0.0.1, port 0. */
    abstract RunningPeer start();

    @BeforeEach
    void startPeer() {
        peer = start();
        assertThat(peer.port()).isPositive();
    }

    @AfterEach
    void stopPeer() {
        if (peer != null) {
            peer.close();
        }
    }

    @Test
    void echoReturnsTextAndBinaryUnchanged() {
        try (JdkClient client = JdkClient.connect(peer.port(), "/echo")) {
            String text = "hello \u20ac\uD83D\uDE00 from the JDK client";
            client.sendText(text);
            assertThat(client.nextText()).isEqualTo(text);

            byte[] binary = JdkClient.pattern(64 * 1024, 7);
            client.sendBinary(binary);
            assertThat(client.nextBinary()).isEqualTo(binary);

            client.sendText("");
            assertThat(client.nextText()).isEmpty();
        }
    }

    @Test
    void broadcastReachesEveryClientIncludingTheSender() {
        try (JdkClient a = JdkClient.connect(peer.port(), "/broadcast");
             JdkClient b = JdkClient.connect(peer.port(), "/broadcast")) {
            // Each client first hears its own message: proof that the server has it in its set.
            b.sendText("sync b");
            assertThat(b.nextText()).isEqualTo("sync b");
            assertThat(a.nextText()).isEqualTo("sync b");
            a.sendText("sync a");
            assertThat(a.nextText()).isEqualTo("sync a");
            assertThat(b.nextText()).isEqualTo("sync a");

            String text = "to everyone \u00e9";
            a.sendText(text);
            assertThat(a.nextText()).isEqualTo(text);
            assertThat(b.nextText()).isEqualTo(text);

            byte[] binary = JdkClient.pattern(64 * 1024, 3);
            b.sendBinary(binary);
            assertThat(a.nextBinary()).isEqualTo(binary);
            assertThat(b.nextBinary()).isEqualTo(binary);
        }
    }

    @Test
    void unknownPathIsNotUpgraded() {
        assertThat(JdkClient.connectFailure(peer.port(), "/nowhere")).isNotNull();
    }
}
