package dev.duplex.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.ServerMessage;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The hub's heartbeat: silence for twice the interval disconnects with 3003; pinging keeps a connection. */
class HeartbeatTest extends HubTestBase {

    @Test
    void silentClientIsDisconnectedAndPingingClientStays() throws Exception {
        start(HubConfig.builder().heartbeat(Duration.ofMillis(300)).build());
        TestHubClient silent = connect();
        TestHubClient pinging = connect();
        assertThat(silent.connected.heartbeat()).isEqualTo(300);

        long start = System.nanoTime();
        long pings = 0;
        while (System.nanoTime() - start < Duration.ofMillis(2_200).toNanos()) {
            pinging.send(new Command.Ping(1_000 + pings++));
            Thread.sleep(100);
        }
        assertThat(silent.disconnectNanos).as("the silent client was told").isPositive();
        long afterMillis = (silent.disconnectNanos - start) / 1_000_000;
        assertThat(afterMillis).as("disconnected after %d ms", afterMillis).isBetween(450L, 2_000L);
        ServerMessage.Disconnect d = silent.expect(ServerMessage.Disconnect.class);
        assertThat(d.code()).isEqualTo(3003);
        assertThat(d.reconnect()).isTrue();
        assertThat(silent.awaitClose()).isEqualTo(3003);

        assertThat(pinging.isOpen()).isTrue();
        pinging.roundTrip();
        assertThat(pinging.received()).noneMatch(m -> m instanceof ServerMessage.Disconnect);
        assertThat(pinging.received()).filteredOn(m -> m instanceof ServerMessage.Pong).hasSizeGreaterThanOrEqualTo((int) pings);
    }
}
