package dev.duplex.transport;

import static dev.duplex.transport.TestSupport.ANY_LOCAL_PORT;
import static dev.duplex.transport.TestSupport.await;
import static dev.duplex.transport.TestSupport.onLoop;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EventLoopTimerTest {
    private EventLoopGroup group;

    @BeforeEach
    void start() {
        group = new EventLoopGroup(2);
    }

    @AfterEach
    void stop() {
        group.close();
    }

    @Test
    void loopsAreNamedAndChosenRoundRobin() {
        EventLoop first = group.next();
        EventLoop second = group.next();
        assertThat(group.loops()).containsExactly(first, second);
        assertThat(group.next()).isSameAs(first);
        assertThat(first.toString()).startsWith("duplex-loop-");
        assertThat(first.inEventLoop()).isFalse();
    }

    @Test
    void scheduledTaskRunsOnTheLoopAfterItsDelay() throws Exception {
        EventLoop loop = group.next();
        CompletableFuture<Long> ranAt = new CompletableFuture<>();
        AtomicBoolean onLoop = new AtomicBoolean();
        long start = System.nanoTime();
        loop.schedule(() -> {
            onLoop.set(loop.inEventLoop());
            ranAt.complete(System.nanoTime());
        }, 50, TimeUnit.MILLISECONDS);

        long elapsed = await(ranAt) - start;
        assertThat(elapsed).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        assertThat(onLoop).isTrue();
    }

    @Test
    void cancelledTaskNeverRuns() throws Exception {
        EventLoop loop = group.next();
        AtomicBoolean ran = new AtomicBoolean();
        Timer timer = loop.schedule(() -> ran.set(true), 50, TimeUnit.MILLISECONDS);
        assertThat(timer.cancel()).isTrue();
        assertThat(timer.cancel()).isFalse();

        CompletableFuture<Void> later = new CompletableFuture<>();
        loop.schedule(() -> later.complete(null), 150, TimeUnit.MILLISECONDS);
        await(later);
        assertThat(ran).isFalse();
        assertThat(onLoop(loop, () -> loop.timers().size())).isZero();
    }

    @Test
    void cancelAfterRunningReturnsFalse() throws Exception {
        EventLoop loop = group.next();
        CompletableFuture<Void> ran = new CompletableFuture<>();
        Timer timer = onLoop(loop, () -> loop.schedule(() -> ran.complete(null), 0, TimeUnit.MILLISECONDS));
        await(ran);
        assertThat(timer.cancel()).isFalse();
    }

    @Test
    void tenThousandTimersFromManyThreadsFireInBoundedTime() throws Exception {
        int count = 10_000;
        CountDownLatch fired = new CountDownLatch(count);
        Random random = new Random(7);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            group.next().schedule(fired::countDown, random.nextInt(1_000), TimeUnit.MILLISECONDS);
        }
        assertThat(fired.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(10_000);
    }

    @Test
    void executeFromManyThreadsRunsEveryTaskOnce() throws Exception {
        EventLoop loop = group.next();
        int threads = 4;
        int perThread = 20_000;
        AtomicLong sum = new AtomicLong();
        CountDownLatch done = new CountDownLatch(threads * perThread);
        List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread producer = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    loop.execute(() -> {
                        sum.incrementAndGet();
                        done.countDown();
                    });
                }
            });
            producers.add(producer);
            producer.start();
        }
        for (Thread producer : producers) {
            producer.join(TimeUnit.SECONDS.toMillis(TestSupport.WAIT_SECONDS));
        }
        assertThat(done.await(TestSupport.WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(sum).hasValue((long) threads * perThread);
    }

    @Test
    void idleLoopsDoNotSpin() throws Exception {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        try (TcpServer server = TcpServer.bind(group, ANY_LOCAL_PORT, TransportOptions.defaults(), RecordingHandler::new)) {
            await(TcpClient.connect(group.next(), server.localAddress(), TransportOptions.defaults(), new RecordingHandler()));
            List<Long> ids = new ArrayList<>();
            for (EventLoop loop : group.loops()) {
                ids.add(onLoop(loop, () -> Thread.currentThread().getId()));
            }
            long cpuBefore = ids.stream().mapToLong(threads::getThreadCpuTime).sum();
            // Idle for 500 ms with a timer pending (10 ms ticks), then fully idle on the other loop.
            CompletableFuture<Void> idle = new CompletableFuture<>();
            group.loops().get(0).schedule(() -> idle.complete(null), 500, TimeUnit.MILLISECONDS);
            await(idle);
            long cpuMillis = TimeUnit.NANOSECONDS.toMillis(ids.stream().mapToLong(threads::getThreadCpuTime).sum() - cpuBefore);
            assertThat(cpuMillis).as("CPU used by two idle loops in 500 ms").isLessThan(100);
        }
    }

    @Test
    void connectionDeadlinesFireOnceRearmAndDisarm() throws Exception {
        int connections = 300;
        CountDownLatch deadlines = new CountDownLatch(connections);
        List<RecordingHandler> handlers = new ArrayList<>();
        try (TcpServer server = TcpServer.bind(group, ANY_LOCAL_PORT, TransportOptions.defaults(), RecordingHandler::new)) {
            // Most clients: one deadline at 100 ms.
            for (int i = 0; i < connections; i++) {
                RecordingHandler h = new RecordingHandler();
                h.onOpenAction = c -> c.setDeadline(100, TimeUnit.MILLISECONDS);
                h.onDeadlineAction = c -> deadlines.countDown();
                handlers.add(h);
                TcpClient.connect(group.next(), server.localAddress(), TransportOptions.defaults(), h);
            }
            // Re-armed from 30 ms to 300 ms: fires once, late.
            RecordingHandler rearmed = new RecordingHandler();
            CompletableFuture<Long> rearmedFired = new CompletableFuture<>();
            AtomicLong openedAt = new AtomicLong();
            rearmed.onOpenAction = c -> {
                openedAt.set(c.loop().nanoTime()); // deadlines count from the loop's cached clock
                c.setDeadline(30, TimeUnit.MILLISECONDS);
                c.setDeadline(300, TimeUnit.MILLISECONDS);
            };
            rearmed.onDeadlineAction = c -> rearmedFired.complete(System.nanoTime());
            // Disarmed: never fires.
            RecordingHandler disarmed = new RecordingHandler();
            disarmed.onOpenAction = c -> {
                c.setDeadline(30, TimeUnit.MILLISECONDS);
                c.setDeadline(0, TimeUnit.MILLISECONDS);
            };
            TcpConnection r = await(TcpClient.connect(group.next(), server.localAddress(), TransportOptions.defaults(), rearmed));
            TcpConnection d = await(TcpClient.connect(group.next(), server.localAddress(), TransportOptions.defaults(), disarmed));

            assertThat(deadlines.await(TestSupport.WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
            long rearmedDelay = await(rearmedFired) - openedAt.get();
            assertThat(rearmedDelay).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));

            // Let another 400 ms pass on each loop, then check nothing fired twice and the disarmed one never did.
            CompletableFuture<Void> later1 = new CompletableFuture<>();
            CompletableFuture<Void> later2 = new CompletableFuture<>();
            r.loop().schedule(() -> later1.complete(null), 400, TimeUnit.MILLISECONDS);
            d.loop().schedule(() -> later2.complete(null), 400, TimeUnit.MILLISECONDS);
            await(later1);
            await(later2);
            for (RecordingHandler h : handlers) {
                assertThat(h.deadlineCalls).hasValue(1);
            }
            assertThat(rearmed.deadlineCalls).hasValue(1);
            assertThat(disarmed.deadlineCalls).hasValue(0);
            assertThat(r.isOpen()).as("a deadline only notifies; it does not close").isTrue();
        }
    }
}
