package dev.duplex.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.duplex.client.ConnectionState;
import dev.duplex.client.DuplexClient;
import dev.duplex.client.PublishResult;
import dev.duplex.client.StateEvent;
import dev.duplex.client.Subscription;
import dev.duplex.client.SubscriptionOptions;
import dev.duplex.hub.protocol.ClientInfo;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.hub.protocol.StreamPosition;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two nodes on real Redis servers, with real clients over WebSocket: what a subscriber on one node
 * gets of what a publisher on the other sends (each publication once, in offset order, also across
 * a drop and a resume on the other node), presence across nodes, and the HTTP API of one node
 * disconnecting a user connected to the other. Every scenario runs on each {@link RedisTopology}:
 * one Redis, two shards, a Redis Cluster of three masters; the Redis servers of a topology are
 * started by its first scenario and stopped after the class, each scenario has nodes (and a key
 * prefix) of its own.
 *
 * <p>Subscribers speak the raw protocol ({@link WireClient}), so the assertions read exactly what
 * the hub sent: {@code DuplexClient} would drop a duplicate by offset and hide it. Publishers, and a
 * second subscriber in the resume scenario, are {@code DuplexClient}s.
 */
class CrossNodeDeliveryTest {
    /** Enough channels that each shard, and each master of the cluster, holds some. */
    private static final List<String> CHANNELS = IntStream.range(0, 20).mapToObj(i -> "room-" + i).toList();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The Redis servers of each topology, started by its first scenario and stopped after the class. */
    private static final Map<RedisTopology, RedisTopology.Running> REDIS = new EnumMap<>(RedisTopology.class);

    private RedisTopology.Running redis;
    private ClusterFixture cluster;

    @AfterAll
    static void stopRedis() throws Exception {
        Closer closer = new Closer();
        REDIS.values().forEach(closer::push);
        REDIS.clear();
        closer.close();
    }

    /** Two nodes on {@code topology}'s Redis servers (started if this is its first scenario). */
    private void startNodes(RedisTopology topology) throws Exception {
        redis = REDIS.get(topology);
        if (redis == null) {
            redis = topology.start();
            REDIS.put(topology, redis);
        }
        cluster = ClusterFixture.start(redis, 2);
    }

    @AfterEach
    void stopNodes() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(RedisTopology.class)
    void publicationsFromBReachASubscriberOnAOnceInOrder_presenceListsBothOnEitherNode_andTheApiOfBDisconnectsAUserOnA(
            RedisTopology topology) throws Exception {
        startNodes(topology);
        int rounds = 25;
        ClusterNode a = cluster.node(0);
        ClusterNode b = cluster.node(1);

        // sam: a raw subscriber on A, and a second connection of sam's on A (a DuplexClient) that subscribes to nothing.
        WireClient sam = cluster.wire(a, "sam");
        Map<String, ServerMessage.Subscribed> samSubscribed = subscribeAll(sam, Map.of());
        for (ServerMessage.Subscribed s : samSubscribed.values()) {
            assertThat(s.epoch()).as("epoch of %s", s.channel()).isNotEmpty();
            assertThat(s.offset()).as("offset of %s", s.channel()).isZero();
            assertThat(s.recovered()).isNull();
            assertThat(s.publications()).isEmpty();
        }
        ClientRecorder samPhoneEvents = new ClientRecorder();
        DuplexClient samPhone = cluster.client(a, "sam", samPhoneEvents);
        samPhone.connect().get(ClusterFixture.WAIT.toMillis(), TimeUnit.MILLISECONDS);

        // pat: a DuplexClient on B, subscribed to every channel too (so presence has two members), and the publisher.
        ClientRecorder patEvents = new ClientRecorder();
        DuplexClient pat = cluster.client(b, "pat", patEvents);
        for (String channel : CHANNELS) {
            pat.subscribe(channel, patEvents);
        }
        pat.connect().get(ClusterFixture.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        patEvents.await("pat's subscriptions", () -> CHANNELS.stream().allMatch(c -> patEvents.subscribed(c).size() == 1));
        for (String channel : CHANNELS) {
            assertThat(patEvents.subscribed(channel).get(0).position())
                    .isEqualTo(new StreamPosition(0, samSubscribed.get(channel).epoch()));
        }

        // Presence of every channel, read on A and on B, lists exactly sam's subscriber and pat.
        Set<String> both = Set.of(sam.clientId() + "/sam", pat.clientId() + "/pat");
        for (String channel : CHANNELS) {
            awaitPresence(channel + " on A", () -> sam.presence(channel), both);
            awaitPresence(channel + " on B", () -> pat.presence(channel).get(ClusterFixture.WAIT.toMillis(), TimeUnit.MILLISECONDS), both);
        }

        RoundPublisher publisher = cluster.closeFirst(new RoundPublisher(pat, CHANNELS, rounds));
        publisher.allow(rounds);
        publisher.awaitAcked(rounds);
        assertAcks(publisher.acks(), samSubscribed, 1, rounds);

        sam.await("every publication on A", all -> lastOffsets(all).values().stream().filter(o -> o == rounds).count() == CHANNELS.size());
        Map<String, List<Publication>> onA = publicationsByChannel(sam.messages());
        patEvents.await("every publication on B", () -> CHANNELS.stream().allMatch(c -> patEvents.publications(c).size() >= rounds));
        for (String channel : CHANNELS) {
            assertExactly(onA.get(channel), channel, 1, rounds, pat.clientId());
            assertExactly(patEvents.publications(channel), channel, 1, rounds, pat.clientId());
        }
        assertThat(sam.messages()).noneMatch(m -> m instanceof ServerMessage.Error || m instanceof ServerMessage.Disconnect);
        assertThat(patEvents.problems()).isEmpty();
        assertChannelsSpreadOverEveryServer(topology);
        assertThat(a.broker().gaps()).as("gaps on A").isZero();
        assertThat(b.broker().gaps()).as("gaps on B").isZero();

        // B's HTTP API disconnects sam, whose two connections are both on A.
        ClusterNode.HttpAnswer answer = b.post("disconnect", ClusterFixture.API_KEY, "{\"user\":\"sam\",\"reason\":\"banned\"}");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        JsonNode reply = JSON.readTree(answer.body());
        assertThat(reply.get("user").asText()).isEqualTo("sam");
        assertThat(reply.get("disconnected").asInt()).isEqualTo(2);

        ServerMessage.Disconnect disconnect = (ServerMessage.Disconnect) sam.awaitMessage("sam's disconnect",
                m -> m instanceof ServerMessage.Disconnect);
        assertThat(disconnect.code()).isEqualTo(3502);
        assertThat(disconnect.reconnect()).isFalse();
        assertThat(sam.awaitClose()).isEqualTo(3502);
        samPhoneEvents.await("sam's DuplexClient to stop", () -> samPhoneEvents.states().stream()
                .anyMatch(e -> e.state() == ConnectionState.CLOSED));
        StateEvent stopped = samPhoneEvents.states().stream().filter(e -> e.state() == ConnectionState.CLOSED).findFirst().orElseThrow();
        assertThat(stopped.code()).isEqualTo(3502);
        assertThat(stopped.willReconnect()).isFalse();

        // pat, on B, stays connected; presence, on either node, now lists pat alone.
        Set<String> patOnly = Set.of(pat.clientId() + "/pat");
        for (String channel : CHANNELS) {
            awaitPresence(channel + " on B after the disconnect",
                    () -> pat.presence(channel).get(ClusterFixture.WAIT.toMillis(), TimeUnit.MILLISECONDS), patOnly);
        }
        assertThat(pat.state()).isEqualTo(ConnectionState.OPEN);
        assertThat(patEvents.states()).filteredOn(e -> e.state() == ConnectionState.CLOSED).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(RedisTopology.class)
    void aSubscriberThatDropsFromAResumesOnBWithSince_andGetsEveryMissedPublicationOnceInOrder_thenLiveOnes(
            RedisTopology topology) throws Exception {
        startNodes(topology);
        int rounds = 40;
        ClusterNode a = cluster.node(0);
        ClusterNode b = cluster.node(1);

        // Two subscribers on A: sam speaks the raw protocol, sue is a DuplexClient.
        WireClient samOnA = cluster.wire(a, "sam");
        Map<String, ServerMessage.Subscribed> subscribedOnA = subscribeAll(samOnA, Map.of());
        ClientRecorder sueOnAEvents = new ClientRecorder();
        DuplexClient sueOnA = cluster.client(a, "sue", sueOnAEvents);
        Map<String, Subscription> sueSubscriptions = new LinkedHashMap<>();
        for (String channel : CHANNELS) {
            sueSubscriptions.put(channel, sueOnA.subscribe(channel, sueOnAEvents));
        }
        sueOnA.connect().get(ClusterFixture.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        sueOnAEvents.await("sue's subscriptions on A", () -> CHANNELS.stream().allMatch(c -> sueOnAEvents.subscribed(c).size() == 1));

        // pat publishes from B, which subscribes to none of these channels before the resume.
        DuplexClient pat = cluster.client(b, "pat", new ClientRecorder());
        pat.connect().get(ClusterFixture.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        RoundPublisher publisher = cluster.closeFirst(new RoundPublisher(pat, CHANNELS, rounds));
        publisher.allow(10);

        // Both subscribers drop from A while publications go on: sam's TCP connection is cut, sue's client closes.
        samOnA.await("5 publications on every channel", all -> lastOffsets(all).size() == CHANNELS.size()
                && lastOffsets(all).values().stream().allMatch(o -> o >= 5));
        samOnA.drop();
        samOnA.awaitClose();
        sueOnAEvents.await("5 publications on every channel for sue",
                () -> CHANNELS.stream().allMatch(c -> sueOnAEvents.publications(c).size() >= 5));
        sueOnA.close();

        Map<String, List<Publication>> seenBySam = publicationsByChannel(samOnA.messages());
        Map<String, StreamPosition> samPositions = new LinkedHashMap<>();
        Map<String, StreamPosition> suePositions = new LinkedHashMap<>();
        for (String channel : CHANNELS) {
            String epoch = subscribedOnA.get(channel).epoch();
            List<Publication> seen = seenBySam.get(channel);
            assertExactly(seen, channel, 1, seen.size(), pat.clientId());
            samPositions.put(channel, new StreamPosition(seen.size(), epoch));
            List<Publication> sueSeen = sueOnAEvents.publications(channel);
            assertExactly(sueSeen, channel, 1, sueSeen.size(), pat.clientId());
            // Where sue's client says it stands is what it delivered: what an application stores.
            assertThat(sueSubscriptions.get(channel).position()).isEqualTo(new StreamPosition(sueSeen.size(), epoch));
            suePositions.put(channel, sueSubscriptions.get(channel).position());
        }

        // Publications both missed for sure, then both resume on B from their positions, as the publisher goes on.
        publisher.allow(20);
        publisher.awaitAcked(20);
        WireClient samOnB = cluster.wire(b, "sam");
        Map<String, CompletableFuture<ServerMessage>> subscribing = new LinkedHashMap<>();
        for (String channel : CHANNELS) {
            subscribing.put(channel, samOnB.subscribe(channel, samPositions.get(channel)));
        }
        ClientRecorder sueOnBEvents = new ClientRecorder();
        DuplexClient sueOnB = cluster.client(b, "sue", sueOnBEvents);
        for (String channel : CHANNELS) {
            sueOnB.subscribe(channel, sueOnBEvents, SubscriptionOptions.defaults().withSince(suePositions.get(channel)));
        }
        sueOnB.connect();
        publisher.allow(30);
        Map<String, ServerMessage.Subscribed> resumed = new LinkedHashMap<>();
        for (String channel : CHANNELS) {
            resumed.put(channel, samOnB.reply(subscribing.get(channel), ServerMessage.Subscribed.class));
        }
        sueOnBEvents.await("sue's subscriptions on B", () -> CHANNELS.stream().allMatch(c -> sueOnBEvents.subscribed(c).size() == 1));
        // Everything after this is published after both resumed: live.
        publisher.allow(rounds);
        publisher.awaitAcked(rounds);
        assertAcks(publisher.acks(), subscribedOnA, 1, rounds);

        samOnB.await("every publication on B", all -> lastOffsets(all).values().stream().filter(o -> o == rounds).count() == CHANNELS.size());
        sueOnBEvents.await("every publication on B for sue", () -> CHANNELS.stream()
                .allMatch(c -> !sueOnBEvents.publications(c).isEmpty()
                        && sueOnBEvents.publications(c).get(sueOnBEvents.publications(c).size() - 1).offset() >= rounds));
        Map<String, List<Publication>> onB = publicationsByChannel(samOnB.messages());
        for (String channel : CHANNELS) {
            String epoch = subscribedOnA.get(channel).epoch();
            long samFrom = samPositions.get(channel).offset();
            ServerMessage.Subscribed reply = resumed.get(channel);
            assertThat(reply.recovered()).as("recovered on %s", channel).isTrue();
            assertThat(reply.epoch()).isEqualTo(epoch);
            // The reply carries what was missed up to the stream's top when B read it (round 20 was
            // acknowledged before the subscribe, round 31 not allowed before the reply): the rest is live.
            assertThat(reply.offset()).as("position of the reply on %s", channel).isBetween(20L, 30L);
            assertExactly(reply.publications(), channel, samFrom + 1, reply.offset(), pat.clientId());
            assertExactly(onB.get(channel), channel, samFrom + 1, rounds, pat.clientId());

            long sueFrom = suePositions.get(channel).offset();
            assertThat(sueOnBEvents.subscribed(channel)).extracting(ClientRecorder.Subscribed::recovered).containsExactly(true);
            assertThat(sueOnBEvents.subscribed(channel).get(0).position().epoch()).isEqualTo(epoch);
            assertExactly(sueOnBEvents.publications(channel), channel, sueFrom + 1, rounds, pat.clientId());
        }
        assertThat(samOnB.messages()).noneMatch(m -> m instanceof ServerMessage.Error || m instanceof ServerMessage.Disconnect);
        assertThat(sueOnAEvents.problems()).isEmpty();
        assertThat(sueOnBEvents.problems()).isEmpty();
        assertThat(sueOnBEvents.states()).filteredOn(e -> e.state() == ConnectionState.CLOSED).isEmpty();
        assertChannelsSpreadOverEveryServer(topology);
        assertThat(a.broker().gaps()).as("gaps on A").isZero();
        assertThat(b.broker().gaps()).as("gaps on B").isZero();
    }

    // ---- helpers

    /** Subscribes {@code client} to every channel (from {@code since} where given, in one burst) and returns the replies. */
    private static Map<String, ServerMessage.Subscribed> subscribeAll(WireClient client, Map<String, StreamPosition> since)
            throws Exception {
        Map<String, CompletableFuture<ServerMessage>> subscribing = new LinkedHashMap<>();
        for (String channel : CHANNELS) {
            subscribing.put(channel, client.subscribe(channel, since.get(channel)));
        }
        Map<String, ServerMessage.Subscribed> replies = new LinkedHashMap<>();
        for (String channel : CHANNELS) {
            replies.put(channel, client.reply(subscribing.get(channel), ServerMessage.Subscribed.class));
        }
        return replies;
    }

    /**
     * Per channel, every publication among {@code messages} (as the hub sent them), in arrival order:
     * those carried by a {@code subscribed} reply, then the {@code publication} messages.
     */
    private static Map<String, List<Publication>> publicationsByChannel(List<ServerMessage> messages) {
        Map<String, List<Publication>> out = new LinkedHashMap<>();
        for (ServerMessage m : messages) {
            if (m instanceof ServerMessage.Subscribed s && s.publications() != null) {
                out.computeIfAbsent(s.channel(), c -> new ArrayList<>()).addAll(s.publications());
            } else if (m instanceof Publication p) {
                out.computeIfAbsent(p.channel(), c -> new ArrayList<>()).add(p);
            }
        }
        return out;
    }

    /** Per channel, the offset of the last publication among {@code messages} (as the hub sent them). */
    private static Map<String, Long> lastOffsets(List<ServerMessage> messages) {
        Map<String, Long> last = new LinkedHashMap<>();
        publicationsByChannel(messages).forEach((channel, list) -> {
            if (!list.isEmpty()) {
                last.put(channel, list.get(list.size() - 1).offset());
            }
        });
        return last;
    }

    /**
     * {@code publications} are exactly those at offsets {@code from..to} of {@code channel}, once
     * each, in order, each the one round {@code offset} of {@code publisher} published.
     */
    private static void assertExactly(List<Publication> publications, String channel, long from, long to, String publisher) {
        List<Publication> got = publications == null ? List.of() : publications;
        assertThat(got).as("offsets of %s", channel).extracting(Publication::offset)
                .containsExactlyElementsOf(LongStream.rangeClosed(from, to).boxed().toList());
        for (Publication p : got) {
            assertThat(p.channel()).isEqualTo(channel);
            assertThat(p.data().get("round").asLong()).as("round of %s at %d", channel, p.offset()).isEqualTo(p.offset());
            assertThat(p.data().get("channel").asText()).isEqualTo(channel);
            assertThat(p.info().client()).isEqualTo(publisher);
            assertThat(p.info().user()).isEqualTo("pat");
        }
    }

    /** Round {@code r} of each channel was acknowledged at offset {@code r}, in the epoch subscribers were told, once. */
    private static void assertAcks(Map<String, List<PublishResult>> acks, Map<String, ServerMessage.Subscribed> subscribed,
                                   long from, long to) {
        assertThat(acks.keySet()).containsExactlyInAnyOrderElementsOf(CHANNELS);
        acks.forEach((channel, list) -> {
            assertThat(list).as("acks of %s", channel).extracting(PublishResult::offset)
                    .containsExactlyElementsOf(LongStream.rangeClosed(from, to).boxed().toList());
            assertThat(list).extracting(PublishResult::epoch).containsOnly(subscribed.get(channel).epoch());
            assertThat(list).extracting(PublishResult::duplicate).containsOnly(false);
        });
    }

    /** Waits until {@code read} lists exactly {@code expected} ({@code client/user}, each once); fails after {@link ClusterFixture#WAIT}. */
    private static void awaitPresence(String where, Callable<List<ClientInfo>> read, Set<String> expected) throws Exception {
        AtomicReference<List<String>> last = new AtomicReference<>(List.of());
        // Presence is written as subscriptions are made: read it again until it is as expected.
        Waits.await(ClusterFixture.WAIT, () -> "presence of " + where + " is " + last.get() + ", expected exactly "
                + new TreeSet<>(expected), () -> {
                    last.set(read.call().stream().map(i -> i.client() + "/" + i.user()).toList());
                    return last.get().size() == expected.size() && new HashSet<>(last.get()).equals(expected);
                });
    }

    /** Each channel's keys are on exactly one Redis server, and every server holds some: the topology is used. */
    private void assertChannelsSpreadOverEveryServer(RedisTopology topology) throws Exception {
        List<List<String>> perServer = redis.channelsPerServer(cluster.prefix(), CHANNELS);
        assertThat(perServer).as("%s: channels per server", topology).hasSize(redis.servers().size()).allMatch(list -> !list.isEmpty());
        List<String> all = new ArrayList<>();
        perServer.forEach(all::addAll);
        assertThat(all).containsExactlyInAnyOrderElementsOf(CHANNELS);
    }
}
