package dev.duplex.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OutboxTest {

    @Test
    void refusesEntriesBeyondItsCapacity() {
        Outbox<String> outbox = new Outbox<>(3);
        assertThat(outbox.offer("a", "A")).isTrue();
        assertThat(outbox.offer("b", "B")).isTrue();
        assertThat(outbox.offer("c", "C")).isTrue();
        assertThat(outbox.offer("d", "D")).isFalse();
        assertThat(outbox.size()).isEqualTo(3);
        assertThat(outbox.inOrder()).containsExactly("A", "B", "C");
        // An ack makes room again.
        assertThat(outbox.remove("a")).isEqualTo("A");
        assertThat(outbox.offer("d", "D")).isTrue();
        assertThat(outbox.inOrder()).containsExactly("B", "C", "D");
    }

    @Test
    void acksRemoveInAnyOrderAndTheRestKeepsItsOrderForResending() {
        Outbox<Integer> outbox = new Outbox<>(100);
        for (int i = 0; i < 10; i++) {
            outbox.offer("m-" + i, i);
        }
        assertThat(outbox.remove("m-3")).isEqualTo(3);
        assertThat(outbox.remove("m-0")).isEqualTo(0);
        assertThat(outbox.remove("m-9")).isEqualTo(9);
        assertThat(outbox.remove("m-9")).isNull(); // a duplicate ack
        assertThat(outbox.remove("unknown")).isNull();
        assertThat(outbox.inOrder()).containsExactly(1, 2, 4, 5, 6, 7, 8);
        assertThat(outbox.contains("m-4")).isTrue();
        assertThat(outbox.contains("m-3")).isFalse();
    }

    @Test
    void inOrderIsASnapshot() {
        Outbox<String> outbox = new Outbox<>(10);
        outbox.offer("a", "A");
        List<String> snapshot = outbox.inOrder();
        outbox.offer("b", "B");
        outbox.remove("a");
        assertThat(snapshot).containsExactly("A");
    }

    @Test
    void drainEmptiesInOrder() {
        Outbox<String> outbox = new Outbox<>(10);
        outbox.offer("x", "X");
        outbox.offer("y", "Y");
        assertThat(outbox.drain()).containsExactly("X", "Y");
        assertThat(outbox.size()).isZero();
        assertThat(outbox.inOrder()).isEmpty();
    }

    @Test
    void aMessageIdIsInTheOutboxOnce() {
        Outbox<String> outbox = new Outbox<>(10);
        outbox.offer("a", "A");
        assertThatThrownBy(() -> outbox.offer("a", "again")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Outbox<String>(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void concurrentPublishersNeverPassTheCapacity() throws Exception {
        Outbox<Integer> outbox = new Outbox<>(500);
        AtomicInteger accepted = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(8);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int id = t;
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 200; i++) {
                    if (outbox.offer(id + "-" + i, i)) {
                        accepted.incrementAndGet();
                    }
                }
                done.countDown();
            });
            threads.add(thread);
            thread.start();
        }
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(accepted.get()).isEqualTo(500);
        assertThat(outbox.size()).isEqualTo(500);
    }
}
