package dev.duplex.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientState;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.duplex.hub.Hub;
import dev.duplex.hub.HubConfig;
import dev.duplex.hub.broker.HistoryPage;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.testkit.Executables;
import dev.duplex.testkit.MosquittoProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The bridge between a real hub and a real Mosquitto, with mosquitto_pub and an MQTT 5 client on the other side. */
class MqttBridgeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long DEADLINE_SECONDS = 10;
    /** How long "nothing more arrives" is watched for after the expected message. */
    private static final long QUIET_MILLIS = 1_000;

    private MosquittoProcess mosquitto;
    private Hub hub;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        mosquitto = MosquittoProcess.start();
        hub = new Hub(HubConfig.builder().namespace(MqttMapping.NAMESPACE, MqttBridge.namespace()).build());
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        hub.close();
        mosquitto.close();
    }

    private MqttBridge bridge(MqttBridgeOptions options) throws Exception {
        MqttBridge bridge = MqttBridge.start(hub, options);
        closeables.add(bridge);
        bridge.ready().get(DEADLINE_SECONDS, TimeUnit.SECONDS);
        return bridge;
    }

    private BlockingQueue<Publication> listen(String channel) {
        BlockingQueue<Publication> seen = new LinkedBlockingQueue<>();
        closeables.add(hub.listen(channel, seen::add));
        return seen;
    }

    private void mosquittoPub(String topic, String message, boolean retain) throws Exception {
        Path pub = Executables.require("mosquitto_pub", "mosquitto-clients");
        List<String> command = new ArrayList<>(List.of(pub.toString(), "-h", mosquitto.host(), "-p",
                String.valueOf(mosquitto.port()), "-q", "1", "-t", topic, "-m", message));
        if (retain) {
            command.add("-r");
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue(process.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS), "mosquitto_pub did not finish");
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), "mosquitto_pub failed: " + output);
    }

    private Mqtt5BlockingClient subscriber(String filter, BlockingQueue<Mqtt5Publish> into) {
        Mqtt5BlockingClient client = MqttClient.builder().useMqttVersion5().identifier("test-subscriber")
                .serverHost(mosquitto.host()).serverPort(mosquitto.port()).buildBlocking();
        client.connect();
        closeables.add(client::disconnect);
        client.toAsync().publishes(MqttGlobalPublishFilter.ALL, into::add);
        client.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send();
        return client;
    }

    private static <T> T next(BlockingQueue<T> queue) throws InterruptedException {
        T item = queue.poll(DEADLINE_SECONDS, TimeUnit.SECONDS);
        assertNotNull(item, "nothing arrived within " + DEADLINE_SECONDS + " s");
        return item;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + " within " + DEADLINE_SECONDS + " s");
            Thread.sleep(10);
        }
    }

    @Test
    void anMqttPublicationAppearsOnItsChannelAsJsonOrText() throws Exception {
        BlockingQueue<Publication> seen = listen("mqtt:sensors/t1");
        MqttBridge bridge = bridge(MqttBridgeOptions.of(mosquitto.host(), mosquitto.port()));

        mosquittoPub("sensors/t1", "{\"t\":21.5,\"unit\":\"C\"}", false);
        Publication json = next(seen);
        assertEquals("mqtt:sensors/t1", json.channel());
        assertEquals(1, json.offset());
        assertEquals(JSON.readTree("{\"t\":21.5,\"unit\":\"C\"}"), json.data());

        mosquittoPub("sensors/t1", "21.5 C", false);
        Publication text = next(seen);
        assertEquals(2, text.offset());
        assertEquals(TextNode.valueOf("21.5 C"), text.data());

        await(() -> bridge.imported() == 2, "two imports counted");
        assertNull(seen.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS));
        assertEquals(0, bridge.importFailures());
    }

    @Test
    void aHubPublicationReachesMqttExactlyOnceAndIsNotImportedBack() throws Exception {
        BlockingQueue<Publication> onHub = listen("mqtt:cmd/x");
        MqttBridge bridge = bridge(MqttBridgeOptions.of(mosquitto.host(), mosquitto.port()).exporting("cmd/x"));
        BlockingQueue<Mqtt5Publish> onMqtt = new LinkedBlockingQueue<>();
        subscriber("cmd/#", onMqtt);

        hub.publish("mqtt:cmd/x", JSON.readTree("{\"set\":20}"), null).get(DEADLINE_SECONDS, TimeUnit.SECONDS);

        Mqtt5Publish received = next(onMqtt);
        assertEquals("cmd/x", received.getTopic().toString());
        assertEquals("{\"set\":20}", new String(received.getPayloadAsBytes(), StandardCharsets.UTF_8));
        assertEquals(MqttQos.AT_LEAST_ONCE, received.getQos());
        assertEquals(1, next(onHub).offset());
        await(() -> bridge.exported() == 1, "the broker's PUBACK counted");

        assertNull(onMqtt.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS), "exactly once on MQTT");
        assertNull(onHub.poll(0, TimeUnit.MILLISECONDS), "not imported back into the hub");
        assertEquals(0, bridge.imported());
        assertEquals(0, bridge.exportFailures());
    }

    @Test
    void anMqttPublicationOnAnExportedTopicIsNotExportedBack() throws Exception {
        BlockingQueue<Publication> onHub = listen("mqtt:cmd/x");
        MqttBridge bridge = bridge(MqttBridgeOptions.of(mosquitto.host(), mosquitto.port()).exporting("cmd/x"));
        BlockingQueue<Mqtt5Publish> onMqtt = new LinkedBlockingQueue<>();
        subscriber("cmd/#", onMqtt);

        mosquittoPub("cmd/x", "ON", false);

        assertEquals(TextNode.valueOf("ON"), next(onHub).data());
        assertEquals("ON", new String(next(onMqtt).getPayloadAsBytes(), StandardCharsets.UTF_8));
        await(() -> bridge.imported() == 1, "the import counted");
        assertNull(onMqtt.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS), "the bridge did not publish it again");
        assertNull(onHub.poll(0, TimeUnit.MILLISECONDS));
        assertEquals(0, bridge.exported());
        assertEquals(0, bridge.pendingImports());
    }

    @Test
    void anotherBridgeOfTheSameOriginDropsWhatTheFirstExported() throws Exception {
        MqttBridgeOptions exporter = MqttBridgeOptions.of(mosquitto.host(), mosquitto.port()).exporting("cmd/y");
        bridge(exporter);
        // A second connection with the same origin (another node of the same deployment): "no local" does not cover it.
        MqttBridgeOptions sameOrigin = new MqttBridgeOptions(mosquitto.host(), mosquitto.port(), exporter.clientId() + "-2",
                exporter.origin(), "#", List.of(), 100);
        MqttBridge second = bridge(sameOrigin);
        BlockingQueue<Mqtt5Publish> onMqtt = new LinkedBlockingQueue<>();
        subscriber("cmd/y", onMqtt);

        hub.publish("mqtt:cmd/y", JSON.readTree("[1,2]"), null).get(DEADLINE_SECONDS, TimeUnit.SECONDS);

        assertEquals("[1,2]", new String(next(onMqtt).getPayloadAsBytes(), StandardCharsets.UTF_8));
        await(() -> second.ownDropped() == 1, "the second bridge dropped the message of its own origin");
        assertEquals(0, second.imported());
    }

    @Test
    void aRetainedMessageBecomesTheChannelsLatestValue() throws Exception {
        mosquittoPub("devices/d1/state", "{\"on\":true}", true);
        BlockingQueue<Publication> seen = listen("mqtt:devices/d1/state");
        bridge(MqttBridgeOptions.of(mosquitto.host(), mosquitto.port()));

        Publication retained = next(seen);
        assertEquals(JSON.readTree("{\"on\":true}"), retained.data());

        HistoryPage latest = hub.history("mqtt:devices/d1/state", null, 10).get(DEADLINE_SECONDS, TimeUnit.SECONDS);
        assertEquals(1, latest.publications().size());
        assertEquals(JSON.readTree("{\"on\":true}"), latest.publications().get(0).data());
    }

    @Test
    void aBinaryPayloadArrivesAsTheHubCarriesBinaryInJson() throws Exception {
        BlockingQueue<Publication> seen = listen("mqtt:raw/b");
        bridge(MqttBridgeOptions.of(mosquitto.host(), mosquitto.port()));
        Mqtt5BlockingClient publisher = MqttClient.builder().useMqttVersion5().identifier("test-publisher")
                .serverHost(mosquitto.host()).serverPort(mosquitto.port()).buildBlocking();
        publisher.connect();
        closeables.add(publisher::disconnect);
        publisher.publishWith().topic("raw/b").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {(byte) 0xff, 0, 1}).send();

        // Server-side publications are kept as JSON, where binary is its base64 string (PROTOCOL.md).
        assertEquals(TextNode.valueOf("/wAB"), next(seen).data());
        Optional<Publication> none = Optional.ofNullable(seen.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS));
        assertTrue(none.isEmpty());
    }

    @Test
    void afterTheBrokerRestartsTheBridgeReconnectsAndSubscribesAgain() throws Exception {
        BlockingQueue<Publication> seen = listen("mqtt:sensors/t2");
        MqttBridge bridge = bridge(MqttBridgeOptions.of(mosquitto.host(), mosquitto.port()));
        mosquittoPub("sensors/t2", "1", false);
        assertEquals(JSON.readTree("1"), next(seen).data());

        assertEquals(1, bridge.subscriptions());
        mosquitto.restart(); // empty: no session, no subscription survives
        await(() -> bridge.subscriptions() == 2, "the bridge reconnected and subscribed again");
        mosquittoPub("sensors/t2", "2", false);
        Publication after = next(seen);
        assertEquals(JSON.readTree("2"), after.data());
        assertEquals(2, after.offset());
        assertNull(seen.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS));
        assertEquals(2, bridge.imported());
        assertEquals(0, bridge.importFailures());
    }

    @Test
    void closingABridgeThatIsReconnectingStopsIt() throws Exception {
        MqttBridge bridge = bridge(MqttBridgeOptions.of(mosquitto.host(), mosquitto.port()));
        assertEquals(MqttClientState.CONNECTED, bridge.state());
        mosquitto.kill();
        await(() -> bridge.state() == MqttClientState.DISCONNECTED_RECONNECT, "the bridge noticed and is reconnecting");

        bridge.close();
        // The reconnect attempt that was waiting fails (nothing listens) and is the last.
        await(() -> bridge.state() == MqttClientState.DISCONNECTED, "the closed bridge stopped reconnecting");
        mosquitto.restart();
        Thread.sleep(QUIET_MILLIS); // longer than the first reconnect delays (100 ms, 200 ms, 400 ms)
        assertEquals(MqttClientState.DISCONNECTED, bridge.state(), "a closed bridge does not reconnect");
    }
}
