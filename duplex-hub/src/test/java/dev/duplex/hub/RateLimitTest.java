package dev.duplex.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.ServerMessage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The per-connection command rate: 5 per second with a burst of 5. */
class RateLimitTest extends HubTestBase {

    @BeforeEach
    void startHub() {
        start(HubConfig.builder().commandRate(5, 5).build());
    }

    @Test
    void theCommandPastTheBurstIsRefusedAndTheConnectionStays() throws Exception {
        TestHubClient c = connect();
        Thread.sleep(300); // connect took a token: let the bucket fill again
        for (long id = 101; id <= 106; id++) {
            c.send(new Command.Ping(id));
        }
        List<ServerMessage> replies = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            replies.add(c.next());
        }
        assertThat(replies.subList(0, 5)).allMatch(m -> m instanceof ServerMessage.Pong);
        assertThat(replies.get(5)).isInstanceOf(ServerMessage.Error.class);
        ServerMessage.Error error = (ServerMessage.Error) replies.get(5);
        assertThat(error.code()).isEqualTo(110);
        assertThat(error.id()).isEqualTo(106);

        Thread.sleep(300); // a token and a half
        c.roundTrip();
        assertThat(c.isOpen()).isTrue();
        assertThat(Scrape.value(hub(), "duplex_errors_total{code=\"110\"}")).isEqualTo(1);
    }

    @Test
    void hammeringFarPastTheBurstDisconnects() throws Exception {
        TestHubClient c = connect();
        for (long id = 101; id <= 150; id++) {
            c.send(new Command.Ping(id));
        }
        ServerMessage.Disconnect d = c.expect(ServerMessage.Disconnect.class);
        assertThat(d.code()).isEqualTo(3006);
        assertThat(d.reconnect()).isTrue();
        assertThat(d.retryAfter()).isNotNull().isGreaterThanOrEqualTo(1_000);
        assertThat(c.awaitClose()).isEqualTo(3006);
        List<ServerMessage> before = c.received();
        assertThat(before).filteredOn(m -> m instanceof ServerMessage.Pong).hasSizeLessThanOrEqualTo(5);
        assertThat(before).filteredOn(m -> m instanceof ServerMessage.Error e && e.code() == 110).hasSize(5);
        assertThat(Scrape.value(hub(), "duplex_disconnects_total{code=\"3006\"}")).isEqualTo(1);
    }
}
