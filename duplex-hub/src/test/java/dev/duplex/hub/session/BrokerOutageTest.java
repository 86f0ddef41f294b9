package dev.duplex.hub.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.duplex.hub.HubConfig;
import dev.duplex.hub.broker.Broker;
import dev.duplex.hub.broker.BrokerListener;
import dev.duplex.hub.broker.BrokerUnavailableException;
import dev.duplex.hub.broker.HistoryOptions;
import dev.duplex.hub.broker.HistoryPage;
import dev.duplex.hub.broker.MemoryBroker;
import dev.duplex.hub.broker.PublishRequest;
import dev.duplex.hub.broker.PublishResult;
import dev.duplex.hub.protocol.ClientInfo;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.ErrorCode;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.hub.protocol.StreamPosition;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The broker cannot be reached (Redis down): every command that needs it gets error 116, which
 * clients retry; nothing is acknowledged that was not stored; the connection stays up; and the same
 * commands work once the broker is back. Driven on a session bench, with a broker that is down on demand.
 */
class BrokerOutageTest {

    /** The bench's memory broker, unreachable while {@link #down}: what a Redis outage looks like to the hub. */
    private static final class OutageBroker implements Broker {
        final MemoryBroker memory;
        boolean down;

        OutageBroker(MemoryBroker memory) {
            this.memory = memory;
        }

        private <T> CompletableFuture<T> unless(java.util.function.Supplier<CompletableFuture<T>> call) {
            return down ? CompletableFuture.failedFuture(new BrokerUnavailableException("Redis is unreachable: test", null))
                    : call.get();
        }

        @Override public void listener(BrokerListener listener) { memory.listener(listener); }
        @Override public CompletableFuture<PublishResult> publish(PublishRequest r) { return unless(() -> memory.publish(r)); }
        @Override public CompletableFuture<Void> subscribe(String c) { return unless(() -> memory.subscribe(c)); }
        @Override public CompletableFuture<Void> unsubscribe(String c) { return memory.unsubscribe(c); }
        @Override public CompletableFuture<HistoryPage> history(String c, StreamPosition s, int l, HistoryOptions o) {
            return unless(() -> memory.history(c, s, l, o));
        }
        @Override public CompletableFuture<HistoryPage> recover(String c, StreamPosition s, int l, HistoryOptions o) {
            return unless(() -> memory.recover(c, s, l, o));
        }
        @Override public void publishJoin(String c, ClientInfo i) { memory.publishJoin(c, i); }
        @Override public void publishLeave(String c, ClientInfo i) { memory.publishLeave(c, i); }
        @Override public CompletableFuture<Void> addPresence(String c, ClientInfo i) { return unless(() -> memory.addPresence(c, i)); }
        @Override public CompletableFuture<Void> removePresence(String c, String id) { return memory.removePresence(c, id); }
        @Override public CompletableFuture<List<ClientInfo>> presence(String c) { return unless(() -> memory.presence(c)); }
        @Override public void close() { memory.close(); }
    }

    private OutageBroker outage;

    private SessionBench bench() {
        return new SessionBench(HubConfig.defaults(), memory -> outage = new OutageBroker(memory));
    }

    private static void assertUnavailable(ServerMessage.Error error, long id) {
        assertThat(error.id()).isEqualTo(id);
        assertThat(error.code()).isEqualTo(ErrorCode.BROKER_UNAVAILABLE.code());
        assertThat(error.message()).contains("cannot be reached").contains("retry");
    }

    @Test
    void aPublishWhileTheBrokerIsDownGets116AndNoAckAndARetryWithTheSameMsgIdIsStoredOnce() {
        SessionBench bench = bench();
        SessionBench.Recording ann = bench.connected();
        SessionBench.Recording bob = bench.connected();
        ann.command(new Command.Subscribe(2L, "room", null, null));
        ann.take(ServerMessage.Subscribed.class);

        outage.down = true;
        bob.command(new Command.Publish(3L, "room", TextNode.valueOf("hi"), "m-1", null));
        assertUnavailable(bob.take(ServerMessage.Error.class), 3);
        assertThat(bob.drain()).isEmpty();
        assertThat(ann.drain()).as("nothing was published").isEmpty();
        assertThat(bob.closeCode).as("the connection stays up").isEqualTo(-1);
        assertThat(bench.ctx.metrics().scrape()).contains("duplex_broker_unavailable_total 1.0");

        outage.down = false;
        bob.command(new Command.Publish(4L, "room", TextNode.valueOf("hi"), "m-1", null));
        ServerMessage.Ack ack = bob.take(ServerMessage.Ack.class);
        assertThat(ack.offset()).as("the refused publication took no offset").isEqualTo(1);
        assertThat(ack.duplicate()).isFalse();
        assertThat(ann.take(Publication.class).offset()).isEqualTo(1);
    }

    @Test
    void subscribeHistoryAndPresenceWhileTheBrokerIsDownGet116AndWorkOnceItIsBack() {
        SessionBench bench = bench();
        SessionBench.Recording ann = bench.connected();

        outage.down = true;
        ann.command(new Command.Subscribe(2L, "room", null, null));
        assertUnavailable(ann.take(ServerMessage.Error.class), 2);
        ann.command(new Command.History(3L, "room", null, null, null));
        assertUnavailable(ann.take(ServerMessage.Error.class), 3);
        ann.command(new Command.Presence(4L, "room", null));
        assertUnavailable(ann.take(ServerMessage.Error.class), 4);
        assertThat(ann.closeCode).isEqualTo(-1);

        outage.down = false;
        ann.command(new Command.Subscribe(5L, "room", null, null));
        assertThat(ann.take(ServerMessage.Subscribed.class).channel())
                .as("the failed subscribe left nothing behind").isEqualTo("room");
    }
}
