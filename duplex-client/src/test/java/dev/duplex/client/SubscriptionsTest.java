package dev.duplex.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import dev.duplex.hub.protocol.StreamPosition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Subscriptions without sockets: resume, paged recovery, early publications, the channel claim, errors. */
class SubscriptionsTest {
    private final ManualLoop loop = new ManualLoop();
    private final Subscriptions subscriptions = new Subscriptions(null, loop, new CallbackExecutor(Runnable::run, this),
            new TokenFetcher(loop, "test-tokens", 1_000), new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1),
            new Random(1)), 1_000);
    private final Recorder recorder = new Recorder();

    private static Publication pub(long offset) {
        return new Publication("ch", offset, IntNode.valueOf((int) offset), null, null);
    }

    private static List<Publication> pubs(long from, long to) {
        List<Publication> out = new ArrayList<>();
        for (long offset = from; offset <= to; offset++) {
            out.add(pub(offset));
        }
        return out;
    }

    private static ServerMessage.Subscribed subscribed(Long id, long offset, Boolean recovered, List<Publication> publications) {
        return new ServerMessage.Subscribed(id, "ch", "e", offset, recovered, publications);
    }

    private FakeConnection open(Map<String, ServerMessage.Subscribed> resumedReplies) {
        FakeConnection hub = new FakeConnection(loop);
        hub.c.open = false;
        subscriptions.resumeOn(hub.c);
        hub.c.open = true;
        subscriptions.onOpen(hub.c, resumedReplies);
        return hub;
    }

    private void lose(FakeConnection hub) {
        hub.lose();
        subscriptions.onLost();
    }

    @Test
    void aPagedRecoveryIsDeliveredOnceInOrderAndAReconnectResumesWhereItGotTo() {
        Subscription sub = subscriptions.subscribe("ch", recorder, SubscriptionOptions.defaults()
                .withSince(new StreamPosition(2, "e")));
        loop.runPending();
        FakeConnection first = new FakeConnection(loop);
        first.c.open = false;
        assertThat(subscriptions.resumeOn(first.c)).containsExactly(Map.entry("ch", new StreamPosition(2, "e")));
        first.c.open = true;
        // The reply brings the subscription to 5 (of a stream at 20); the rest follows as publications.
        subscriptions.onOpen(first.c, Map.of("ch", subscribed(null, 5, true, pubs(3, 5))));
        assertThat(recorder.subscribed).containsExactly(true);
        assertThat(recorder.subscribedPositions).containsExactly(new StreamPosition(5, "e"));
        for (Publication p : List.of(pub(5), pub(6), pub(7), pub(7))) { // the next page, with repeats
            subscriptions.onPublication(first.c, p);
        }
        assertThat(sub.position()).isEqualTo(new StreamPosition(7, "e"));
        lose(first);

        FakeConnection second = new FakeConnection(loop);
        second.c.open = false;
        assertThat(subscriptions.resumeOn(second.c)).as("resumes from what was delivered")
                .containsExactly(Map.entry("ch", new StreamPosition(7, "e")));
        second.c.open = true;
        subscriptions.onOpen(second.c, Map.of("ch", subscribed(null, 12, true, pubs(6, 12))));
        subscriptions.onPublication(second.c, pub(13));

        assertThat(recorder.publications()).extracting(Publication::offset)
                .containsExactly(3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L);
        assertThat(recorder.subscribed).containsExactly(true, true);
        assertThat(recorder.unrecoverable).isEmpty();
        assertThat(sub.position()).isEqualTo(new StreamPosition(13, "e"));
    }

    @Test
    void publicationsBeforeTheSubscribedReplyWaitForItAndOnlyNewOnesAreDelivered() {
        FakeConnection hub = open(null);
        Subscription sub = subscriptions.subscribe("ch", recorder, SubscriptionOptions.defaults());
        loop.runPending();
        Command.Subscribe asked = hub.last(Command.Subscribe.class);
        assertThat(asked.since()).isNull();
        subscriptions.onPublication(hub.c, pub(11));
        subscriptions.onPublication(hub.c, pub(12));
        assertThat(recorder.publications()).isEmpty();
        assertThat(sub.state()).isEqualTo(SubscriptionState.SUBSCRIBING);

        hub.reply(asked, subscribed(asked.id(), 11, null, List.of()));
        assertThat(sub.state()).isEqualTo(SubscriptionState.SUBSCRIBED);
        assertThat(recorder.subscribed).containsExactly(false);
        assertThat(recorder.publications()).extracting(Publication::offset).containsExactly(12L);
    }

    @Test
    void aChannelIsTakenUntilUnsubscribeReturnsAndTheNewSubscriptionFollowsTheOldOneOnTheWire() {
        FakeConnection hub = open(null);
        Subscription first = subscriptions.subscribe("ch", recorder, SubscriptionOptions.defaults());
        assertThatThrownBy(() -> subscriptions.subscribe("ch", recorder, SubscriptionOptions.defaults()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("Already subscribed");
        loop.runPending();
        Command.Subscribe asked = hub.last(Command.Subscribe.class);
        hub.reply(asked, subscribed(asked.id(), 0, null, List.of()));

        first.unsubscribe();
        assertThat(first.state()).isEqualTo(SubscriptionState.UNSUBSCRIBED);
        Recorder second = new Recorder();
        Subscription again = subscriptions.subscribe("ch", second, SubscriptionOptions.defaults());
        assertThat(subscriptions.find("ch")).containsSame(again);
        loop.runPending();
        assertThat(hub.sent).extracting(c -> c.getClass().getSimpleName())
                .containsExactly("Subscribe", "Unsubscribe", "Subscribe");

        subscriptions.onPublication(hub.c, pub(1));
        assertThat(recorder.publications()).isEmpty();
    }

    @Test
    void aSubscriptionEndedWhileTheConnectWasOnItsWayIsUndoneAndStaysSilent() {
        Subscription sub = subscriptions.subscribe("ch", recorder, SubscriptionOptions.defaults());
        loop.runPending();
        FakeConnection hub = new FakeConnection(loop);
        hub.c.open = false;
        assertThat(subscriptions.resumeOn(hub.c)).containsKey("ch");
        sub.unsubscribe();
        loop.runPending();
        assertThat(hub.sent).as("nothing to undo until the hub answers").isEmpty();
        hub.c.open = true;
        subscriptions.onOpen(hub.c, Map.of("ch", subscribed(null, 0, null, List.of())));
        assertThat(hub.sent(Command.Unsubscribe.class)).hasSize(1);
        assertThat(recorder.subscribed).isEmpty();
    }

    @Test
    void aTransientErrorIsRetriedWithBackOffAndAPermanentOneEndsTheSubscription() {
        FakeConnection hub = open(null);
        Subscription sub = subscriptions.subscribe("ch", recorder, SubscriptionOptions.defaults());
        loop.runPending();
        Command.Subscribe asked = hub.last(Command.Subscribe.class);
        hub.reply(asked, new ServerMessage.Error(asked.id(), 110, "slow down"));
        assertThat(recorder.errors).hasSize(1);
        assertThat(sub.state()).isEqualTo(SubscriptionState.SUBSCRIBING);
        loop.advance(1_000); // the retry's back-off is at most 200 ms here
        Command.Subscribe retried = hub.last(Command.Subscribe.class);
        assertThat(retried.id()).isNotEqualTo(asked.id());

        hub.reply(retried, new ServerMessage.Error(retried.id(), 103, "permission denied"));
        assertThat(sub.state()).isEqualTo(SubscriptionState.UNSUBSCRIBED);
        assertThat(subscriptions.find("ch")).as("the channel is free again").isEmpty();
        assertThat(recorder.errors).hasSize(2);
        loop.advance(10_000);
        assertThat(hub.sent(Command.Subscribe.class)).hasSize(2);
    }

    @Test
    void aSubscribeWithoutReplyDropsTheConnection() {
        FakeConnection hub = open(null);
        subscriptions.subscribe("ch", recorder, SubscriptionOptions.defaults());
        loop.runPending();
        loop.advance(1_000);
        assertThat(hub.aborts).containsExactly("no reply to subscribe \"ch\" within 1000 ms");
    }

    @Test
    void afterCloseEverySubscriptionEndsSilentlyAndNewOnesAreRefused() {
        FakeConnection hub = open(null);
        Subscription sub = subscriptions.subscribe("ch", recorder, SubscriptionOptions.defaults());
        loop.runPending();
        Command.Subscribe asked = hub.last(Command.Subscribe.class);
        subscriptions.closeAll();
        hub.reply(asked, subscribed(asked.id(), 0, null, List.of()));
        assertThat(sub.state()).isEqualTo(SubscriptionState.UNSUBSCRIBED);
        assertThat(recorder.subscribed).isEmpty();

        Subscription late = subscriptions.subscribe("other", recorder, SubscriptionOptions.defaults()); // raced the close
        loop.runPending();
        assertThat(late.state()).isEqualTo(SubscriptionState.UNSUBSCRIBED);
        loop.stop();
        assertThatThrownBy(() -> subscriptions.subscribe("third", recorder, SubscriptionOptions.defaults()))
                .isInstanceOf(ClientClosedException.class);
        assertThat(subscriptions.find("other")).isEmpty();
        assertThat(subscriptions.find("third")).isEmpty();
    }
}
