package dev.duplex.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.DoubleNode;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import org.junit.jupiter.api.Test;

/** A latest-value namespace hands a new subscriber the last publication at once. */
class LatestValueTest extends HubTestBase {

    @Test
    void newSubscriberGetsTheLatestPublication() throws Exception {
        start(HubConfig.builder()
                .namespace("sensor", NamespaceConfig.builder().mode(DeliveryMode.LATEST).historySize(0).build())
                .namespace("plain", NamespaceConfig.defaults())
                .build());
        TestHubClient sensor = connect();

        TestHubClient early = connect();
        ServerMessage.Subscribed none = early.subscribe("sensor:t1");
        assertThat(none.publications()).isEmpty();
        assertThat(none.recovered()).isNull();

        for (int i = 1; i <= 3; i++) {
            sensor.send(new Command.Publish((long) i, "sensor:t1", DoubleNode.valueOf(20 + i / 10.0), null, null));
            sensor.send(new Command.Publish(100L + i, "plain:t1", DoubleNode.valueOf(20 + i / 10.0), null, null));
        }
        sensor.reply(103); // the last one: the acks come in order

        TestHubClient late = connect();
        ServerMessage.Subscribed subscribed = late.subscribe("sensor:t1");
        assertThat(subscribed.recovered()).isNull();
        assertThat(subscribed.offset()).isEqualTo(3);
        assertThat(subscribed.publications()).hasSize(1);
        Publication latest = subscribed.publications().get(0);
        assertThat(latest.offset()).isEqualTo(3);
        assertThat(latest.data().asDouble()).isEqualTo(20.3);
        assertThat(latest.info().client()).isEqualTo(sensor.clientId());

        // A stream namespace gives nothing on subscribe.
        assertThat(late.subscribe("plain:t1").publications()).isEmpty();

        // Live values follow the latest one without repeating it.
        sensor.send(new Command.Publish(4L, "sensor:t1", DoubleNode.valueOf(20.4), null, null));
        assertThat(late.expect(Publication.class).offset()).isEqualTo(4);
        assertThat(early.expect(Publication.class, p -> p.offset() == 4).data().asDouble()).isEqualTo(20.4);
        assertThat(late.received()).filteredOn(m -> m instanceof Publication).hasSize(1);
    }
}
