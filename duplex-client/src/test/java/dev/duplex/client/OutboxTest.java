package dev.duplex.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.ServerMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The outbox without sockets: bounded, re-sent in order with the same ids, every publish ends one way. */
class OutboxTest {
    private final ManualLoop loop = new ManualLoop();
    private final CallbackExecutor inline = new CallbackExecutor(Runnable::run, this);

    private Outbox outbox(int capacity, long publishTimeoutMillis) {
        return new Outbox(loop, inline, capacity, publishTimeoutMillis);
    }

    private static CompletableFuture<PublishResult> publish(Outbox outbox, int value) {
        CompletableFuture<PublishResult> future = new CompletableFuture<>();
        outbox.publish("ch", IntNode.valueOf(value), null, future);
        return future;
    }

    private static ServerMessage.Ack ack(Command.Publish p, long offset, boolean duplicate) {
        return new ServerMessage.Ack(p.id(), p.channel(), "e", offset, duplicate);
    }

    @Test
    void aFullOutboxRefusesAPublishAtOnceOnTheCallersThread() {
        Outbox outbox = outbox(3, 0);
        List<CompletableFuture<PublishResult>> accepted = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            accepted.add(publish(outbox, i));
        }
        CompletableFuture<PublishResult> overflow = publish(outbox, 3);
        // Before the loop has run anything: the places are counted where the call is made.
        assertThat(overflow).isCompletedExceptionally();
        assertThat(outbox.size()).isEqualTo(3);
        loop.runPending();
        assertThat(accepted).noneMatch(CompletableFuture::isDone);

        FakeConnection hub = new FakeConnection(loop);
        outbox.onOpen(hub.c);
        Command.Publish first = hub.sent(Command.Publish.class).get(0);
        hub.reply(first, ack(first, 1, false));
        assertThat(outbox.size()).isEqualTo(2);
        assertThat(publish(outbox, 4)).as("an ack made room").isNotDone();
    }

    @Test
    void aPublishIsSentWhenConnectedAndCompletedByItsAck() {
        Outbox outbox = outbox(10, 0);
        FakeConnection hub = new FakeConnection(loop);
        outbox.onOpen(hub.c);
        CompletableFuture<PublishResult> future = publish(outbox, 7);
        loop.runPending();
        Command.Publish sent = hub.last(Command.Publish.class);
        assertThat(sent.data()).isEqualTo(IntNode.valueOf(7));
        assertThat(sent.msgId()).isNotEmpty();

        hub.reply(sent, ack(sent, 42, false));
        assertThat(future).isCompletedWithValue(new PublishResult("ch", sent.msgId(), "e", 42, false));
        assertThat(outbox.size()).isZero();
    }

    @Test
    void whatWasNotAcknowledgedIsResentInOrderWithTheSameIdsOnTheNextConnection() {
        Outbox outbox = outbox(10, 0);
        FakeConnection first = new FakeConnection(loop);
        outbox.onOpen(first.c);
        List<CompletableFuture<PublishResult>> futures = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            futures.add(publish(outbox, i));
        }
        loop.runPending();
        List<Command.Publish> sent = first.sent(Command.Publish.class);
        assertThat(sent).hasSize(4);
        first.reply(sent.get(1), ack(sent.get(1), 2, false)); // only #1 is acknowledged
        first.lose();
        CompletableFuture<PublishResult> offline = publish(outbox, 4);
        loop.runPending();
        assertThat(first.sent(Command.Publish.class)).as("nothing is sent on a lost connection").hasSize(4);

        FakeConnection second = new FakeConnection(loop);
        outbox.onOpen(second.c);
        List<Command.Publish> resent = second.sent(Command.Publish.class);
        assertThat(resent).extracting(Command.Publish::msgId).hasSize(4).startsWith(
                sent.get(0).msgId(), sent.get(2).msgId(), sent.get(3).msgId());
        assertThat(resent).extracting(p -> p.data().asInt()).containsExactly(0, 2, 3, 4);

        second.reply(resent.get(0), ack(resent.get(0), 1, true));
        assertThat(futures.get(0).join().duplicate()).isTrue();
        assertThat(offline).isNotDone();
        assertThat(outbox.size()).isEqualTo(3);
    }

    @Test
    void anErrorReplyFailsThePublishWithTheHubsCodeAndFreesItsPlace() {
        Outbox outbox = outbox(10, 0);
        FakeConnection hub = new FakeConnection(loop);
        outbox.onOpen(hub.c);
        CompletableFuture<PublishResult> future = publish(outbox, 1);
        loop.runPending();
        Command.Publish sent = hub.last(Command.Publish.class);
        hub.reply(sent, new ServerMessage.Error(sent.id(), 111, "too large"));
        assertThat(future).isCompletedExceptionally();
        assertThat(future.handle((r, e) -> ((HubErrorException) e).code()).join()).isEqualTo(111);
        assertThat(outbox.size()).isZero();
        hub.lose();
        FakeConnection next = new FakeConnection(loop);
        outbox.onOpen(next.c);
        assertThat(next.sent).as("a refused publish is not sent again").isEmpty();
    }

    @Test
    void thePublishTimeoutCountsFromThePublishAndALateAckChangesNothing() {
        Outbox outbox = outbox(10, 1_000);
        CompletableFuture<PublishResult> future = publish(outbox, 1);
        loop.runPending();
        loop.advance(999);
        assertThat(future).isNotDone();
        loop.advance(1);
        assertThat(future).isCompletedExceptionally();
        assertThat(future.handle((r, e) -> e).join()).isInstanceOf(TimeoutException.class);
        assertThat(outbox.size()).isZero();

        FakeConnection hub = new FakeConnection(loop);
        outbox.onOpen(hub.c);
        assertThat(hub.sent).as("a timed-out publish is not sent").isEmpty();
    }

    @Test
    void aStopFailsWhatWaitsAndAcceptsNewPublishesButACloseIsForGood() {
        Outbox outbox = outbox(10, 0);
        CompletableFuture<PublishResult> before = publish(outbox, 1);
        loop.runPending();
        outbox.failAll(new ClientClosedException(3500, "stopped"), false);
        assertThat(before.handle((r, e) -> ((ClientClosedException) e).code()).join()).isEqualTo(3500);
        assertThat(outbox.size()).isZero();

        CompletableFuture<PublishResult> afterStop = publish(outbox, 2);
        loop.runPending();
        assertThat(afterStop).isNotDone();
        assertThat(outbox.size()).isEqualTo(1);

        CompletableFuture<PublishResult> racingTheClose = publish(outbox, 3); // handed over before the close ran
        outbox.failAll(Errors.clientClosed(), true);
        loop.runPending();
        assertThat(afterStop).isCompletedExceptionally();
        assertThat(racingTheClose.handle((r, e) -> e).join()).isInstanceOf(ClientClosedException.class);
        assertThat(outbox.size()).isZero();

        loop.stop();
        CompletableFuture<PublishResult> afterClose = publish(outbox, 4);
        assertThat(afterClose.handle((r, e) -> e).join()).isInstanceOf(ClientClosedException.class);
        assertThat(outbox.size()).isZero();
    }

    @Test
    void concurrentPublishersNeverPassTheCapacity() throws Exception {
        Outbox outbox = outbox(500, 0);
        AtomicInteger refused = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(8);
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 200; i++) {
                    if (publish(outbox, i).isCompletedExceptionally()) {
                        refused.incrementAndGet();
                    }
                }
                done.countDown();
            });
            thread.start();
        }
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(refused.get()).isEqualTo(8 * 200 - 500);
        assertThat(outbox.size()).isEqualTo(500);
        loop.runPending();
        FakeConnection hub = new FakeConnection(loop);
        outbox.onOpen(hub.c);
        assertThat(hub.sent(Command.Publish.class)).hasSize(500);
    }
}
