package dev.duplex.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.hub.protocol.StreamPosition;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The Prometheus metrics after a scripted workload: exact counts. */
class MetricsTest extends HubTestBase {

    @Test
    void countersMatchAScriptedSession() throws Exception {
        start(HubConfig.builder()
                .namespace("m", NamespaceConfig.defaults())
                .namespace("np", NamespaceConfig.builder().presence(false).build())
                .build());
        int commands = 0;
        TestHubClient a = connect();
        TestHubClient b = connect();
        commands += 2;
        b.subscribe("m:x");
        commands++;

        String epoch = null;
        for (int i = 1; i <= 10; i++) {
            a.send(new Command.Publish((long) 100 + i, "m:x", IntNode.valueOf(i), "msg-" + i, null));
        }
        a.send(new Command.Publish(200L, "m:x", IntNode.valueOf(10), "msg-10", null)); // a retry
        commands += 11;
        ServerMessage.Ack retry = (ServerMessage.Ack) a.reply(200);
        assertThat(retry.duplicate()).isTrue();
        epoch = retry.epoch();
        // and one from the server side (the HTTP API's way)
        hub().publish("m:x", IntNode.valueOf(11), null).get(5, TimeUnit.SECONDS);

        a.error(new Command.Subscribe(a.nextId(), "nope:x", null, null)); // 102
        a.sendText("{oops");                                               // 107
        a.expect(ServerMessage.Error.class);
        a.sendText("{\"type\":\"subscribe\",\"id\":1}");                   // 107
        a.expect(ServerMessage.Error.class);
        a.error(new Command.Presence(a.nextId(), "np:x"));                 // 108
        commands += 4;

        TestHubClient recovers = track(new TestHubClient(server.port(), HubCodec.JSON));
        assertThat(recovers.connect(null, Map.of("m:x", new StreamPosition(5, epoch))).subs().get("m:x").recovered()).isTrue();
        TestHubClient fails = track(new TestHubClient(server.port(), HubCodec.JSON));
        assertThat(fails.connect(null, Map.of("m:x", new StreamPosition(5, "other"))).subs().get("m:x").recovered()).isFalse();
        commands += 2;

        TestHubClient noProtocol = track(new TestHubClient(server.port(), HubCodec.JSON, null));
        assertThat(noProtocol.awaitClose()).isEqualTo(3504);

        assertThat(eventually(2_000, () -> Scrape.value(hub(), "duplex_connections") == 4)).isTrue();
        recovers.close();
        fails.close();
        assertThat(eventually(5_000, () -> Scrape.value(hub(), "duplex_connections") == 2)).isTrue();

        String scrape = hub().metrics().scrape();
        assertThat(Scrape.value(scrape, "duplex_connects_total")).isEqualTo(4);
        assertThat(Scrape.value(scrape, "duplex_connections")).isEqualTo(2);
        assertThat(Scrape.value(scrape, "duplex_open_sockets")).isEqualTo(2);
        assertThat(Scrape.value(scrape, "duplex_subscriptions")).isEqualTo(1);
        assertThat(Scrape.value(scrape, "duplex_channels")).isEqualTo(1);
        assertThat(Scrape.value(scrape, "duplex_publications_total{duplicate=\"false\"}")).isEqualTo(11);
        assertThat(Scrape.value(scrape, "duplex_publications_total{duplicate=\"true\"}")).isEqualTo(1);
        assertThat(Scrape.value(scrape, "duplex_errors_total{code=\"102\"}")).isEqualTo(1);
        assertThat(Scrape.value(scrape, "duplex_errors_total{code=\"107\"}")).isEqualTo(2);
        assertThat(Scrape.value(scrape, "duplex_errors_total{code=\"108\"}")).isEqualTo(1);
        assertThat(Scrape.value(scrape, "duplex_recoveries_total{outcome=\"recovered\"}")).isEqualTo(1);
        assertThat(Scrape.value(scrape, "duplex_recoveries_total{outcome=\"failed\"}")).isEqualTo(1);
        assertThat(Scrape.value(scrape, "duplex_disconnects_total{code=\"3504\"}")).isEqualTo(1);
        assertThat(Scrape.value(scrape, "duplex_messages_received_total")).isEqualTo(commands);
        assertThat(scrape).doesNotContain("duplex_slow_consumer_total{");
    }
}
