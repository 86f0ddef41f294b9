package dev.duplex.gateway.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duplex.hub.Hub;
import dev.duplex.hub.HubConfig;
import dev.duplex.hub.broker.HistoryPage;
import dev.duplex.hub.protocol.Publication;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeviceFleetTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private Hub hub;
    private DeviceFleet fleet;

    @BeforeEach
    void start() {
        HubConfig.Builder config = HubConfig.builder();
        DeviceFleet.namespaces().forEach(config::namespace);
        hub = new Hub(config.build());
        fleet = DeviceFleet.start(hub, Duration.ofMillis(50), new Random(42));
    }

    @AfterEach
    void stop() {
        fleet.close();
        hub.close();
    }

    @Test
    void sensorsPublishPlausibleReadings() throws Exception {
        BlockingQueue<Publication> readings = new LinkedBlockingQueue<>();
        try (AutoCloseable listening = hub.listen(DeviceFleet.sensorChannel("room-2"), readings::add)) {
            for (int i = 0; i < 5; i++) {
                Publication p = readings.poll(5, TimeUnit.SECONDS);
                assertThat(p).as("reading %d", i).isNotNull();
                JsonNode r = p.data();
                assertThat(r.path("temperature").asDouble()).isBetween(10.0, 35.0);
                assertThat(r.path("humidity").asDouble()).isBetween(20.0, 80.0);
                assertThat(r.path("co2").asLong()).isBetween(380L, 2000L);
                assertThat(r.path("time").asLong()).isPositive();
            }
        }
        assertThat(fleet.rooms()).containsExactly("room-1", "room-2", "room-3");
    }

    @Test
    void thermostatAppliesAndAcknowledgesCommands() throws Exception {
        BlockingQueue<Publication> states = new LinkedBlockingQueue<>();
        try (AutoCloseable listening = hub.listen(DeviceFleet.deviceChannel("thermostat-1"), states::add)) {
            command("{\"id\":\"cmd-1\",\"setpoint\":23.5}");
            JsonNode ack = awaitAck(states, "cmd-1");
            assertThat(ack.path("ack").path("ok").asBoolean()).isTrue();
            assertThat(ack.path("setpoint").asDouble()).isEqualTo(23.5);

            command("{\"id\":\"cmd-2\",\"relay\":true}");
            JsonNode relay = awaitAck(states, "cmd-2");
            assertThat(relay.path("relay").asBoolean()).isTrue();
            assertThat(relay.path("setpoint").asDouble()).isEqualTo(23.5);

            command("{\"id\":\"cmd-3\",\"setpoint\":99}");
            JsonNode refused = awaitAck(states, "cmd-3");
            assertThat(refused.path("ack").path("ok").asBoolean()).isFalse();
            assertThat(refused.path("ack").path("message").asText()).contains("5.0 to 30.0");
            assertThat(refused.path("setpoint").asDouble()).isEqualTo(23.5);

            command("{\"id\":\"cmd-4\"}");
            assertThat(awaitAck(states, "cmd-4").path("ack").path("message").asText()).contains("Nothing to do");
        }
    }

    @Test
    void latestStateIsInHistoryForNewSubscribers() throws Exception {
        // The dashboard's first paint comes from the latest value and the history of sensors.
        HistoryPage page = hub.history(DeviceFleet.sensorChannel("room-1"), null, 100).get(5, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (page.publications().size() < 2 && System.nanoTime() < deadline) { // a reading every 50 ms
            page = hub.history(DeviceFleet.sensorChannel("room-1"), null, 100).get(5, TimeUnit.SECONDS);
        }
        assertThat(page.publications()).hasSizeGreaterThan(1);
        assertThat(page.offset()).isEqualTo(page.publications().get(page.publications().size() - 1).offset());
    }

    private void command(String json) throws Exception {
        hub.publish(DeviceFleet.commandChannel("thermostat-1"), JSON.readTree(json), null).get(5, TimeUnit.SECONDS);
    }

    private static JsonNode awaitAck(BlockingQueue<Publication> states, String id) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            Publication p = states.poll(100, TimeUnit.MILLISECONDS);
            if (p != null && id.equals(p.data().path("ack").path("id").asText(null))) {
                return p.data();
            }
        }
        throw new AssertionError("No acknowledgement of " + id + " within 5 s");
    }
}
