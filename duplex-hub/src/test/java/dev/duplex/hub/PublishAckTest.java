package dev.duplex.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Acks and de-duplication by client message id: once per channel and window. */
class PublishAckTest extends HubTestBase {
    private TestHubClient publisher;
    private TestHubClient subscriber;

    private final AtomicLong clock = new AtomicLong(System.currentTimeMillis());

    @BeforeEach
    void startHub() throws Exception {
        start(HubConfig.builder()
                .namespace("chat", NamespaceConfig.defaults())
                .namespace("brief", NamespaceConfig.builder().dedupWindow(Duration.ofMillis(300)).build())
                .build(), clock);
        publisher = connect();
        subscriber = connect();
    }

    @Test
    void aRetriedMessageIdIsPublishedOnceAndAckedAsDuplicateWithTheSameOffset() throws Exception {
        ServerMessage.Subscribed subscribed = subscriber.subscribe("chat:a");
        ServerMessage.Ack first = publish("chat:a", "hello", "c1-1");
        assertThat(first.duplicate()).isFalse();
        assertThat(first.offset()).isEqualTo(1);
        assertThat(first.channel()).isEqualTo("chat:a");
        assertThat(first.epoch()).isEqualTo(subscribed.epoch());

        ServerMessage.Ack retry = publish("chat:a", "hello", "c1-1");
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.offset()).isEqualTo(1);
        assertThat(retry.epoch()).isEqualTo(first.epoch());

        ServerMessage.Ack next = publish("chat:a", "again", "c1-2");
        assertThat(next.duplicate()).isFalse();
        assertThat(next.offset()).isEqualTo(2);

        // The subscriber saw exactly 1 and 2: the retry published nothing.
        Publication p1 = subscriber.expect(Publication.class);
        Publication p2 = subscriber.expect(Publication.class);
        assertThat(p1.offset()).isEqualTo(1);
        assertThat(p1.data().asText()).isEqualTo("hello");
        assertThat(p2.offset()).isEqualTo(2);
        subscriber.roundTrip();
        assertThat(subscriber.received()).filteredOn(m -> m instanceof Publication).hasSize(2);
        assertThat(Scrape.value(hub(), "duplex_publications_total{duplicate=\"false\"}")).isEqualTo(2);
        assertThat(Scrape.value(hub(), "duplex_publications_total{duplicate=\"true\"}")).isEqualTo(1);
    }

    @Test
    void messageIdsAreScopedByChannel() throws Exception {
        subscriber.subscribe("chat:a");
        subscriber.subscribe("chat:b");
        ServerMessage.Ack a = publish("chat:a", "x", "same");
        ServerMessage.Ack b = publish("chat:b", "x", "same");
        assertThat(a.duplicate()).isFalse();
        assertThat(b.duplicate()).isFalse();
        assertThat(a.offset()).isEqualTo(1);
        assertThat(b.offset()).isEqualTo(1);
        Publication first = subscriber.expect(Publication.class);
        Publication second = subscriber.expect(Publication.class);
        assertThat(java.util.List.of(first.channel(), second.channel())).containsExactlyInAnyOrder("chat:a", "chat:b");
    }

    @Test
    void afterTheDedupWindowTheSameIdIsPublishedAgain() throws Exception {
        subscriber.subscribe("brief:a");
        ServerMessage.Ack first = publish("brief:a", "x", "m-1");
        assertThat(publish("brief:a", "x", "m-1").duplicate()).isTrue();
        clock.addAndGet(301); // past the 300 ms window on the broker's clock
        ServerMessage.Ack later = publish("brief:a", "x", "m-1");
        assertThat(later.duplicate()).isFalse();
        assertThat(later.offset()).isEqualTo(first.offset() + 1);
        assertThat(subscriber.expect(Publication.class).offset()).isEqualTo(1);
        assertThat(subscriber.expect(Publication.class).offset()).isEqualTo(2);
        // and the new one is remembered for a window of its own
        assertThat(publish("brief:a", "x", "m-1").offset()).isEqualTo(2);
    }

    @Test
    void publishWithoutMessageIdIsNeverDeduplicated() throws Exception {
        assertThat(publish("chat:c", "x", null).offset()).isEqualTo(1);
        assertThat(publish("chat:c", "x", null).offset()).isEqualTo(2);
    }

    private ServerMessage.Ack publish(String channel, String text, String msgId) throws InterruptedException {
        long id = publisher.nextId();
        publisher.send(new Command.Publish(id, channel, TextNode.valueOf(text), msgId, null));
        ServerMessage reply = publisher.reply(id);
        assertThat(reply).isInstanceOf(ServerMessage.Ack.class);
        return (ServerMessage.Ack) reply;
    }
}
