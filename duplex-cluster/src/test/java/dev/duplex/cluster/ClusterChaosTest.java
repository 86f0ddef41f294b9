package dev.duplex.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.client.DuplexClient;
import dev.duplex.client.PublishResult;
import dev.duplex.client.Subscription;
import dev.duplex.client.SubscriptionListener;
import dev.duplex.hub.HubConfig;
import dev.duplex.hub.NamespaceConfig;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.StreamPosition;
import dev.duplex.testkit.FaultProxy;
import dev.duplex.testkit.RedisProcess;
import dev.duplex.websocket.WebSocketClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Chaos across three nodes on one Redis: clients spread over the nodes (each node behind a proxy
 * that plays the load balancer), random connections dropped all along, and one node killed midway
 * (its clients' connections reset, the node gone, the balancer sending its clients to another node)
 * and started again. Every client must end with every publication of each of its channels exactly
 * once, in order, and the publisher, itself a client of the killed node, with every publication
 * acknowledged once. Run again with {@code -Dchaos.seed=…} to repeat a run's choices.
 */
class ClusterChaosTest {
    private static final int NODES = 3;
    private static final int CLIENTS = 90;
    private static final int CHANNELS = 4;
    private static final int PUBLICATIONS = 600;
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String PREFIX = "duplex";

    private static HubConfig config() {
        return HubConfig.builder()
                .commandRate(100_000, 100_000)
                .namespace("chaos", NamespaceConfig.builder().historySize(5_000).joinLeave(false).presence(false).build())
                .build();
    }

    /** What one client received, per channel, in delivery order. */
    private static final class Received implements SubscriptionListener {
        final Map<String, List<Long>> offsets = new ConcurrentHashMap<>();
        final AtomicInteger unrecoverable = new AtomicInteger();
        final AtomicInteger subscribed = new AtomicInteger();

        @Override
        public void onSubscribed(Subscription subscription, boolean recovered, StreamPosition position) {
            subscribed.incrementAndGet();
        }

        @Override
        public void onPublication(Subscription subscription, Publication publication) {
            // Callbacks of one client run one at a time, in order.
            offsets.computeIfAbsent(publication.channel(), c -> Collections.synchronizedList(new ArrayList<>()))
                    .add(publication.offset());
        }

        @Override
        public void onUnrecoverable(Subscription subscription, StreamPosition position) {
            unrecoverable.incrementAndGet();
        }

        boolean complete(String channel, long top) {
            List<Long> got = offsets.get(channel);
            return top == 0 || (got != null && got.size() >= top);
        }
    }

    @Test
    void everyClientEndsWithEveryPublicationOnceInOrderThoughANodeDiedAndConnectionsDropped() throws Exception {
        long seed = Long.getLong("chaos.seed", System.nanoTime());
        Random random = new Random(seed);
        String context = "chaos.seed=" + seed;
        List<String> channels = new ArrayList<>();
        for (int c = 0; c < CHANNELS; c++) {
            channels.add("chaos:" + c);
        }
        try (Closer closer = new Closer()) {
            RedisProcess redis = closer.push(RedisProcess.start());
            ExecutorService callbacks = Executors.newFixedThreadPool(4);
            closer.later(callbacks::shutdownNow);
            ClusterNode[] nodes = new ClusterNode[NODES];
            closer.later(() -> { // closed last, before Redis: the clients first, then the balancers, then the nodes
                for (ClusterNode node : nodes) {
                    if (node != null) {
                        node.close();
                    }
                }
            });
            FaultProxy[] balancers = new FaultProxy[NODES];
            for (int n = 0; n < NODES; n++) {
                nodes[n] = ClusterNode.start(List.of(redis.uri()), PREFIX, config());
                balancers[n] = closer.push(new FaultProxy(nodes[n].port()));
            }
            WebSocketClient sockets = closer.push(WebSocketClient.builder().eventLoops(2).build());

            List<DuplexClient> clients = new ArrayList<>();
            List<Received> received = new ArrayList<>();
            List<List<String>> subscribedTo = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                DuplexClient client = DuplexClient.builder("ws://127.0.0.1:" + balancers[i % NODES].port() + "/connect")
                        .webSocketClient(sockets).callbackExecutor(callbacks)
                        .reconnectDelay(Duration.ofMillis(20), Duration.ofMillis(500))
                        .random(new Random(random.nextLong())).build();
                closer.push(client);
                Received r = new Received();
                List<String> mine = new ArrayList<>(channels);
                Collections.shuffle(mine, random);
                mine = List.copyOf(mine.subList(0, 2 + random.nextInt(CHANNELS - 1)));
                for (String channel : mine) {
                    client.subscribe(channel, r);
                }
                clients.add(client);
                received.add(r);
                subscribedTo.add(mine);
                client.connect();
            }
            assertThat(Waits.eventually(WAIT, () -> {
                for (int i = 0; i < CLIENTS; i++) {
                    if (received.get(i).subscribed.get() < subscribedTo.get(i).size()) {
                        return false;
                    }
                }
                return true;
            })).as("%s: every client subscribed", context).isTrue();

            // The publisher is a client of the node that dies: its outbox re-sends what was not acknowledged.
            DuplexClient publisher = DuplexClient.builder("ws://127.0.0.1:" + balancers[1].port() + "/connect")
                    .webSocketClient(sockets).callbackExecutor(callbacks).outboxCapacity(PUBLICATIONS)
                    .publishTimeout(WAIT).reconnectDelay(Duration.ofMillis(20), Duration.ofMillis(500)).build();
            closer.push(publisher);
            publisher.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);

            List<CompletableFuture<PublishResult>> acks = new ArrayList<>();
            int drops = 0;
            for (int p = 0; p < PUBLICATIONS; p++) {
                acks.add(publisher.publish(channels.get(p % CHANNELS), Map.of("n", p)));
                if (p % 10 == 0) {
                    Thread.sleep(20); // pacing: the run lasts over a second, so the faults below land amid it
                    clients.get(random.nextInt(CLIENTS)).disconnectNow();
                    drops++;
                }
                if (p == PUBLICATIONS / 3) {
                    // Node 1 dies: its connections reset, the balancer sends newcomers to node 0.
                    balancers[1].cut();
                    nodes[1].close();
                    balancers[1].retarget(nodes[0].port());
                    balancers[1].restore();
                }
                if (p == 2 * PUBLICATIONS / 3) {
                    // Node 1 is back (a new process would get a new port too); new connections go to it.
                    nodes[1] = ClusterNode.start(List.of(redis.uri()), PREFIX, config());
                    balancers[1].retarget(nodes[1].port());
                }
            }

            Map<String, Long> tops = new ConcurrentHashMap<>();
            Map<Long, Integer> offsetsSeen = new ConcurrentHashMap<>();
            for (CompletableFuture<PublishResult> ack : acks) {
                PublishResult r = ack.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                tops.merge(r.channel(), r.offset(), Math::max);
                offsetsSeen.merge(r.offset() * CHANNELS + channels.indexOf(r.channel()), 1, Integer::sum);
            }
            assertThat(offsetsSeen).as("%s: each acknowledged publication has its own offset", context)
                    .hasSize(PUBLICATIONS).allSatisfy((k, v) -> assertThat(v).isEqualTo(1));
            for (String channel : channels) {
                assertThat(tops.get(channel)).as("%s: %s holds its share, each once", context, channel)
                        .isEqualTo(PUBLICATIONS / CHANNELS);
            }

            boolean complete = Waits.eventually(WAIT, () -> {
                for (int i = 0; i < CLIENTS; i++) {
                    for (String channel : subscribedTo.get(i)) {
                        if (!received.get(i).complete(channel, tops.get(channel))) {
                            return false;
                        }
                    }
                }
                return true;
            });
            System.out.printf("ClusterChaosTest: %s, %d clients on %d nodes, %d drops, %d publications, complete %s%n",
                    context, CLIENTS, NODES, drops, PUBLICATIONS, complete);
            for (int i = 0; i < CLIENTS; i++) {
                for (String channel : subscribedTo.get(i)) {
                    List<Long> expected = new ArrayList<>();
                    for (long o = 1; o <= tops.get(channel); o++) {
                        expected.add(o);
                    }
                    assertThat(received.get(i).offsets.getOrDefault(channel, List.of()))
                            .as("%s: client %d, %s: every publication once, in order", context, i, channel)
                            .containsExactlyElementsOf(expected);
                }
                assertThat(received.get(i).unrecoverable.get()).as("%s: client %d: no gap history could not fill", context, i)
                        .isZero();
            }
        }
    }
}
