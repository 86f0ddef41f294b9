package dev.duplex.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.hub.broker.Broker;
import dev.duplex.hub.broker.BrokerListener;
import dev.duplex.hub.broker.HistoryOptions;
import dev.duplex.hub.broker.HistoryPage;
import dev.duplex.hub.broker.MemoryBroker;
import dev.duplex.hub.broker.PublishRequest;
import dev.duplex.hub.broker.PublishResult;
import dev.duplex.hub.protocol.ClientInfo;
import dev.duplex.hub.protocol.HubCodec;
import dev.duplex.hub.protocol.StreamPosition;
import dev.duplex.hub.session.ChannelRegistry;
import dev.duplex.hub.session.EncodedMessage;
import dev.duplex.hub.session.HubSession;
import dev.duplex.hub.session.SessionTransport;
import dev.duplex.protocol.FrameObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The last subscriber of a channel leaving while a new one arrives: the node must end up
 * subscribed at the broker. The broker here holds the unsubscribe until a subscribe comes (or
 * 300 ms pass), which makes the unlucky interleaving certain if the hub allows it: before the fix
 * the hub unsubscribed after the newcomer had subscribed, and the newcomer received nothing.
 */
class ChannelSubscriptionRaceTest {

    @Test
    void detachEmptyingAChannelNeverUnsubscribesTheNextSubscriber() throws Exception {
        StallingBroker broker = new StallingBroker();
        try (Hub hub = new Hub(HubConfig.defaults(), broker)) {
            ChannelRegistry channels = hub.sessionContext().channels();
            HubSession leaving = new HubSession(hub.sessionContext(), new NoTransport(), HubCodec.JSON);
            HubSession arriving = new HubSession(hub.sessionContext(), new NoTransport(), HubCodec.JSON);
            channels.attach("room", leaving).get(5, TimeUnit.SECONDS);
            assertThat(broker.subscribed).isTrue();

            Thread detach = new Thread(() -> channels.detach("room", leaving));
            detach.start();
            assertThat(broker.unsubscribing.await(5, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Void> attached = CompletableFuture.runAsync(() -> channels.attach("room", arriving).join());
            detach.join(5_000);
            attached.get(5, TimeUnit.SECONDS);

            assertThat(hub.channels()).containsEntry("room", 1);
            assertThat(broker.subscribed).as("the node is subscribed while the channel has a subscriber").isTrue();
        }
    }

    /** A MemoryBroker whose unsubscribe waits for a concurrent subscribe, up to 300 ms. */
    private static final class StallingBroker implements Broker {
        final MemoryBroker memory = new MemoryBroker();
        final CountDownLatch unsubscribing = new CountDownLatch(1);
        final CountDownLatch subscribeCalled = new CountDownLatch(1);
        volatile boolean subscribed;
        private volatile boolean first = true;

        @Override
        public synchronized CompletableFuture<Void> subscribe(String channel) {
            if (!first) {
                subscribeCalled.countDown();
            }
            first = false;
            subscribed = true;
            return memory.subscribe(channel);
        }

        @Override
        public CompletableFuture<Void> unsubscribe(String channel) {
            unsubscribing.countDown();
            try {
                subscribeCalled.await(300, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (this) {
                subscribed = false;
                return memory.unsubscribe(channel);
            }
        }

        @Override
        public void listener(BrokerListener listener) {
            memory.listener(listener);
        }

        @Override
        public CompletableFuture<PublishResult> publish(PublishRequest request) {
            return memory.publish(request);
        }

        @Override
        public CompletableFuture<HistoryPage> history(String channel, StreamPosition since, int limit, HistoryOptions options) {
            return memory.history(channel, since, limit, options);
        }

        @Override
        public CompletableFuture<HistoryPage> recover(String channel, StreamPosition since, int limit, HistoryOptions options) {
            return memory.recover(channel, since, limit, options);
        }

        @Override
        public void publishJoin(String channel, ClientInfo info) {
            memory.publishJoin(channel, info);
        }

        @Override
        public void publishLeave(String channel, ClientInfo info) {
            memory.publishLeave(channel, info);
        }

        @Override
        public CompletableFuture<Void> addPresence(String channel, ClientInfo info) {
            return memory.addPresence(channel, info);
        }

        @Override
        public CompletableFuture<Void> removePresence(String channel, String clientId) {
            return memory.removePresence(channel, clientId);
        }

        @Override
        public CompletableFuture<List<ClientInfo>> presence(String channel) {
            return memory.presence(channel);
        }

        @Override
        public void close() {
            memory.close();
        }
    }

    private static final class NoTransport implements SessionTransport {
        @Override
        public void send(EncodedMessage message) {
        }

        @Override
        public long bufferedAmount() {
            return 0;
        }

        @Override
        public void close(int code, String reason) {
        }

        @Override
        public void observeFrames(FrameObserver observer) {
        }

        @Override
        public String remoteAddress() {
            return "test";
        }

        @Override
        public void execute(Runnable task) {
            task.run();
        }
    }
}
