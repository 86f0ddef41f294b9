package dev.duplex.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.hub.protocol.Publication;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HubStatsPublisherTest {

    @Test
    void publishesTheNodesVitalSignsToItsChannel() throws Exception {
        try (Hub hub = new Hub(HubConfig.builder().namespace("hub", HubStatsPublisher.namespace()).build())) {
            BlockingQueue<Publication> stats = new LinkedBlockingQueue<>();
            try (AutoCloseable listening = hub.listen(HubStatsPublisher.CHANNEL, stats::add);
                 HubStatsPublisher publisher = HubStatsPublisher.start(hub, HubStatsPublisher.CHANNEL, Duration.ofMillis(50))) {
                Publication first = stats.poll(5, TimeUnit.SECONDS);
                Publication second = stats.poll(5, TimeUnit.SECONDS);
                assertThat(first).isNotNull();
                assertThat(second).isNotNull();
                assertThat(second.offset()).isEqualTo(first.offset() + 1);
                assertThat(second.data().path("connections").asInt()).isZero();
                assertThat(second.data().path("channels").asInt()).isEqualTo(1); // the stats channel itself
                // The first stats publication is counted in the second's rate.
                assertThat(second.data().path("publicationsPerSecond").asDouble()).isPositive();
                assertThat(second.data().has("queuedBytes")).isTrue();
            }
        }
    }

    @Test
    void theStatsNamespaceIsReadOnlyForClients() {
        assertThat(HubStatsPublisher.namespace().publish()).isEqualTo(Access.NOBODY);
        assertThat(HubStatsPublisher.namespace().mode()).isEqualTo(DeliveryMode.LATEST);
    }
}
