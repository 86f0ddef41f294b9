package dev.duplex.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.protocol.ServerMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A graceful drain: every client told to come back later, spread over the drain window. */
class DrainTest extends HubTestBase {

    @Test
    void drainDisconnectsEveryoneOverTheWindowAndRefusesNewcomers() throws Exception {
        start(HubConfig.builder().drainWindow(Duration.ofSeconds(1)).build());
        List<TestHubClient> clients = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            TestHubClient c = connect();
            c.subscribe("room");
            clients.add(c);
        }
        long start = System.nanoTime();
        CompletableFuture<Void> drained = hub().drain();
        assertThat(hub().draining()).isTrue();

        TestHubClient late = track(new TestHubClient(server.port(), HubCodec.JSON));
        ServerMessage.Disconnect refused = late.expect(ServerMessage.Disconnect.class);
        assertThat(refused.code()).isEqualTo(3000);
        assertThat(refused.reconnect()).isTrue();
        assertThat(refused.retryAfter()).isGreaterThanOrEqualTo(1_000);
        assertThat(late.awaitClose()).isEqualTo(3000);

        drained.get(5, TimeUnit.SECONDS);
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (TestHubClient c : clients) {
            ServerMessage.Disconnect d = c.expect(ServerMessage.Disconnect.class);
            assertThat(d.code()).isEqualTo(3000);
            assertThat(d.reconnect()).isTrue();
            assertThat(d.retryAfter()).isGreaterThanOrEqualTo(1_000);
            assertThat(c.awaitClose()).isEqualTo(1001);
            first = Math.min(first, c.disconnectNanos);
            last = Math.max(last, c.disconnectNanos);
        }
        long spreadMillis = (last - first) / 1_000_000;
        long doneMillis = (last - start) / 1_000_000;
        assertThat(spreadMillis).as("first to last disconnect").isGreaterThanOrEqualTo(500);
        assertThat(doneMillis).as("drain start to last disconnect").isLessThan(2_000);
        assertThat(Scrape.value(hub(), "duplex_disconnects_total{code=\"3000\"}")).isEqualTo(21);
        assertThat(eventually(3_000, () -> hub().connectionCount() == 0)).isTrue();
    }
}
