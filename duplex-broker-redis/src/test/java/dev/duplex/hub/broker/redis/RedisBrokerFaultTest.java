package dev.duplex.hub.broker.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duplex.hub.broker.BrokerUnavailableException;
import dev.duplex.hub.broker.HistoryOptions;
import dev.duplex.hub.broker.PublishRequest;
import dev.duplex.hub.broker.PublishResult;
import dev.duplex.hub.protocol.ClientInfo;
import dev.duplex.testkit.FaultProxy;
import dev.duplex.testkit.RedisProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a node sees when its link to Redis breaks: every publication exactly once and in order when
 * history can give back what pub/sub lost, a gap event when it cannot, and an error (never a false
 * acknowledgement) for a publication while Redis is unreachable. Real redis-server, real TCP faults.
 */
class RedisBrokerFaultTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final HistoryOptions HISTORY = new HistoryOptions(10_000, Duration.ofMinutes(5), Duration.ofHours(1));

    RedisProcess redis;
    FaultProxy proxy;
    final List<RedisBroker> brokers = new ArrayList<>();
    String prefix;

    @BeforeEach
    void start() throws Exception {
        redis = RedisProcess.start();
        proxy = new FaultProxy(redis.port());
        prefix = "f" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void stop() throws Exception {
        brokers.forEach(RedisBroker::close);
        proxy.close();
        redis.close();
    }

    RedisBroker broker(String uri) {
        RedisBroker b = new RedisBroker(RedisBrokerOptions.builder().uri(uri).prefix(prefix)
                .commandTimeout(Duration.ofSeconds(2)).checkInterval(Duration.ofMillis(500)).build());
        brokers.add(b);
        return b;
    }

    static PublishRequest request(String channel, int n, HistoryOptions history) {
        return new PublishRequest(channel, BrokerContractTest.data(n), new ClientInfo("c", "u", null), null, history, null, null);
    }

    @Test
    void killing_the_pubsub_connection_while_publishing_loses_nothing_and_repeats_nothing() throws Exception {
        RedisBroker subscriber = broker(redis.uri());
        RedisBroker publisher = broker(redis.uri());
        Recorder recorder = new Recorder();
        subscriber.listener(recorder);
        String channel = "feed:" + UUID.randomUUID();
        subscriber.subscribe(channel).get(10, TimeUnit.SECONDS);
        int total = 600;
        for (int i = 1; i <= total; i++) {
            publisher.publish(request(channel, i, HISTORY)).get(10, TimeUnit.SECONDS);
            if (i % 100 == 0) {
                redis.command("CLIENT", "KILL", "TYPE", "pubsub");
            }
        }
        assertThat(recorder.awaitPublications(channel, total, WAIT)).isTrue();
        assertThat(recorder.offsets(channel)).containsExactlyElementsOf(BrokerContractTest.range(1, total));
        assertThat(recorder.of("gap", channel)).isEmpty();
        assertThat(recorder.of("publication", channel).get(total - 1).publication().payload().tree().asInt()).isEqualTo(total);
    }

    @Test
    void publications_missed_while_away_without_history_are_a_gap_the_node_is_told_of() throws Exception {
        RedisBroker subscriber = broker("redis://127.0.0.1:" + proxy.port());
        RedisBroker publisher = broker(redis.uri());
        Recorder recorder = new Recorder();
        subscriber.listener(recorder);
        String channel = "feed:" + UUID.randomUUID();
        subscriber.subscribe(channel).get(10, TimeUnit.SECONDS);
        PublishResult first = publisher.publish(request(channel, 1, HistoryOptions.NONE)).get(10, TimeUnit.SECONDS);
        assertThat(recorder.awaitPublications(channel, 1, WAIT)).isTrue();

        proxy.cut();
        publisher.publish(request(channel, 2, HistoryOptions.NONE)).get(10, TimeUnit.SECONDS);
        publisher.publish(request(channel, 3, HistoryOptions.NONE)).get(10, TimeUnit.SECONDS);
        proxy.restore();

        assertThat(recorder.await(events -> events.stream().anyMatch(e -> e.kind().equals("gap")), WAIT)).isTrue();
        Recorder.Event gap = recorder.of("gap", channel).get(0);
        assertThat(gap.epoch()).isEqualTo(first.epoch());
        assertThat(gap.offset()).isEqualTo(3);
        publisher.publish(request(channel, 4, HistoryOptions.NONE)).get(10, TimeUnit.SECONDS);
        assertThat(recorder.awaitPublications(channel, 2, WAIT)).isTrue();
        assertThat(recorder.offsets(channel)).containsExactly(1L, 4L);
    }

    @Test
    void publications_missed_while_away_come_back_from_history_in_order() throws Exception {
        RedisBroker subscriber = broker("redis://127.0.0.1:" + proxy.port());
        RedisBroker publisher = broker(redis.uri());
        Recorder recorder = new Recorder();
        subscriber.listener(recorder);
        String channel = "feed:" + UUID.randomUUID();
        subscriber.subscribe(channel).get(10, TimeUnit.SECONDS);
        publisher.publish(request(channel, 1, HISTORY)).get(10, TimeUnit.SECONDS);
        assertThat(recorder.awaitPublications(channel, 1, WAIT)).isTrue();

        proxy.cut();
        for (int i = 2; i <= 2_500; i++) { // more than one page of catch-up
            publisher.publish(request(channel, i, HISTORY)).get(10, TimeUnit.SECONDS);
        }
        proxy.restore();

        assertThat(recorder.awaitPublications(channel, 2_500, WAIT)).isTrue();
        assertThat(recorder.offsets(channel)).containsExactlyElementsOf(BrokerContractTest.range(1, 2_500));
        assertThat(recorder.of("gap", channel)).isEmpty();
    }

    @Test
    void a_publication_while_redis_is_unreachable_fails_and_one_after_it_returns_succeeds() throws Exception {
        RedisBroker broker = broker("redis://127.0.0.1:" + proxy.port());
        Recorder recorder = new Recorder();
        broker.listener(recorder);
        String channel = "feed:" + UUID.randomUUID();
        broker.subscribe(channel).get(10, TimeUnit.SECONDS);
        broker.publish(request(channel, 1, HISTORY)).get(10, TimeUnit.SECONDS);

        proxy.cut();
        assertThatThrownBy(() -> broker.publish(request(channel, 2, HISTORY)).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(BrokerUnavailableException.class);
        proxy.restore();

        long deadline = System.nanoTime() + WAIT.toNanos();
        PublishResult after = null;
        while (after == null && System.nanoTime() < deadline) {
            try {
                after = broker.publish(request(channel, 3, HISTORY)).get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(BrokerUnavailableException.class);
                Thread.sleep(50); // Lettuce reconnects on its own schedule
            }
        }
        assertThat(after).isNotNull();
        assertThat(after.offset()).as("the refused publication took no offset").isEqualTo(2);
        assertThat(recorder.awaitPublications(channel, 2, WAIT)).isTrue();
        assertThat(recorder.offsets(channel)).containsExactly(1L, 2L);
    }

    @Test
    void redis_restarting_empty_is_a_new_epoch_the_node_is_told_of() throws Exception {
        RedisBroker broker = broker(redis.uri());
        Recorder recorder = new Recorder();
        broker.listener(recorder);
        String channel = "feed:" + UUID.randomUUID();
        broker.subscribe(channel).get(10, TimeUnit.SECONDS);
        PublishResult before = broker.publish(request(channel, 1, HISTORY)).get(10, TimeUnit.SECONDS);
        assertThat(recorder.awaitPublications(channel, 1, WAIT)).isTrue();

        redis.restart();
        assertThat(recorder.await(events -> events.stream().anyMatch(e -> e.kind().equals("gap")), WAIT)).isTrue();
        Recorder.Event gap = recorder.of("gap", channel).get(0);
        assertThat(gap.epoch()).as("no stream any more").isEmpty();

        long deadline = System.nanoTime() + WAIT.toNanos();
        PublishResult after = null;
        while (after == null && System.nanoTime() < deadline) {
            try {
                after = broker.publish(request(channel, 2, HISTORY)).get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                Thread.sleep(50); // Lettuce reconnects on its own schedule
            }
        }
        assertThat(after).isNotNull();
        assertThat(after.epoch()).isNotEqualTo(before.epoch());
        assertThat(after.offset()).isEqualTo(1);
        assertThat(recorder.awaitPublications(channel, 2, WAIT)).isTrue();
    }
}
