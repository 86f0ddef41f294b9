package dev.duplex.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class TimerWheelTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long ORIGIN = 1_000_000_000L;

    private final TimerWheel wheel = new TimerWheel(ORIGIN);
    private long now = ORIGIN;

    private final class Node extends TimerNode {
        final long deadline;
        int fired;
        long firedAt;
        Consumer<Node> onFire = n -> {};

        Node(long deadline) {
            this.deadline = deadline;
        }

        @Override
        void onTimer() {
            fired++;
            firedAt = now;
            onFire.accept(this);
        }
    }

    private Node schedule(long delayMs) {
        Node node = new Node(now + delayMs * MS);
        wheel.schedule(node, node.deadline, now);
        return node;
    }

    private void advanceTo(long nanos) {
        now = nanos;
        wheel.advance(now);
    }

    private void stepUntil(long endNanos) {
        while (now < endNanos) {
            advanceTo(Math.min(endNanos, now + 10 * MS));
        }
    }

    @Test
    void firesAtTheFirstTickAfterTheDeadlineAndNotBefore() {
        Node node = schedule(25);
        advanceTo(ORIGIN + 29 * MS);
        assertThat(node.fired).isZero();
        advanceTo(ORIGIN + 30 * MS);
        assertThat(node.fired).isEqualTo(1);
        assertThat(node.isScheduled()).isFalse();
        assertThat(wheel.isEmpty()).isTrue();
    }

    @Test
    void delaysLongerThanOneRevolutionWaitForTheirRound() {
        Node node = schedule(12_000); // more than two revolutions of 5.12 s
        stepUntil(ORIGIN + 11_990 * MS);
        assertThat(node.fired).isZero();
        stepUntil(ORIGIN + 12_000 * MS);
        assertThat(node.fired).isEqualTo(1);
    }

    @Test
    void rearmMovesTheDeadlineAndCancelUnlinks() {
        Node node = schedule(20);
        wheel.schedule(node, now + 100 * MS, now);
        assertThat(wheel.size()).isEqualTo(1);
        stepUntil(ORIGIN + 90 * MS);
        assertThat(node.fired).isZero();
        stepUntil(ORIGIN + 100 * MS);
        assertThat(node.fired).isEqualTo(1);

        Node cancelled = schedule(50);
        assertThat(wheel.cancel(cancelled)).isTrue();
        assertThat(wheel.cancel(cancelled)).isFalse();
        stepUntil(now + 200 * MS);
        assertThat(cancelled.fired).isZero();
        assertThat(wheel.isEmpty()).isTrue();
    }

    @Test
    void aPastDeadlineFiresOnTheNextTick() {
        Node node = schedule(-50);
        advanceTo(now + 10 * MS);
        assertThat(node.fired).isEqualTo(1);
    }

    @Test
    void tenThousandTimersFireOnceEachWithinOneTickOfTheirDeadline() {
        Random random = new Random(42);
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            nodes.add(schedule(random.nextInt(60_000)));
        }
        long start = System.nanoTime();
        stepUntil(ORIGIN + 60_010 * MS);
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(wheel.isEmpty()).isTrue();
        for (Node node : nodes) {
            assertThat(node.fired).isEqualTo(1);
            assertThat(node.firedAt).isGreaterThanOrEqualTo(node.deadline).isLessThan(node.deadline + 10 * MS);
        }
        assertThat(elapsedMs).as("wheel processing time for 10,000 timers").isLessThan(5_000);
    }

    @Test
    void aLongStallFiresEverythingDue() {
        Node soon = schedule(10);
        Node later = schedule(7_000);
        Node notYet = schedule(20_000);
        advanceTo(ORIGIN + 10_000 * MS);
        assertThat(soon.fired).isEqualTo(1);
        assertThat(later.fired).isEqualTo(1);
        assertThat(notYet.fired).isZero();
        stepUntil(ORIGIN + 20_000 * MS);
        assertThat(notYet.fired).isEqualTo(1);
    }

    @Test
    void aCallbackMayCancelOrRearmOtherNodesInTheSameSlot() {
        Node a = schedule(100);
        Node b = schedule(100);
        Node c = schedule(100);
        // Nodes are linked at the head, so c fires first; it cancels b and re-arms a.
        c.onFire = n -> {
            wheel.cancel(b);
            wheel.schedule(a, now + 50 * MS, now);
        };
        stepUntil(ORIGIN + 100 * MS);
        assertThat(c.fired).isEqualTo(1);
        assertThat(b.fired).isZero();
        assertThat(a.fired).isZero();
        stepUntil(ORIGIN + 150 * MS);
        assertThat(a.fired).isEqualTo(1);
        assertThat(b.isScheduled()).isFalse();
    }

    @Test
    void aCallbackMayRearmItself() {
        Node node = schedule(10);
        node.onFire = n -> {
            if (n.fired < 3) {
                wheel.schedule(n, now + 10 * MS, now);
            }
        };
        stepUntil(ORIGIN + 100 * MS);
        assertThat(node.fired).isEqualTo(3);
    }

    @Test
    void schedulingAfterIdlingDoesNotReplayTheIdleSlots() {
        advanceTo(ORIGIN + 3_600_000 * MS); // an hour with nothing pending
        Node node = schedule(20);
        advanceTo(now + 10 * MS);
        assertThat(node.fired).isZero();
        advanceTo(now + 10 * MS);
        assertThat(node.fired).isEqualTo(1);
    }

    @Test
    void selectTimeoutIsTheTimeToTheNextTick() {
        assertThat(wheel.millisToNextTick(ORIGIN)).isEqualTo(10);
        assertThat(wheel.millisToNextTick(ORIGIN + 3 * MS)).isEqualTo(7);
        assertThat(wheel.millisToNextTick(ORIGIN + 9 * MS + 1)).isEqualTo(1);
    }
}
