package dev.duplex.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.duplex.hub.protocol.Command;
import dev.duplex.hub.protocol.Publication;
import dev.duplex.hub.protocol.ServerMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * "Publications of one channel always arrive in offset order" (PROTOCOL.md), also when they are
 * published from connections on different event loops of the hub: one publisher shares the
 * subscriber's loop (the hub writes at once), the other does not (its sends wait in the loop's
 * task queue).
 */
class OrderingTest extends HubTestBase {
    private static final int PER_PUBLISHER = 3_000;

    @Test
    void publicationsOfOneChannelArriveInOffsetOrderFromPublishersOnEveryLoop() throws Exception {
        start(HubConfig.builder().commandRate(100_000, 100_000).build());
        // Connected in this order, the hub's event loops (round robin) give each subscriber a
        // publisher on its own loop and one on another.
        List<TestHubClient> subscribers = List.of(connect(), connect());
        for (TestHubClient s : subscribers) {
            s.subscribe("ticks");
        }
        List<TestHubClient> publishers = List.of(connect(), connect());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (TestHubClient p : publishers) {
            Thread t = new Thread(() -> {
                try {
                    for (int i = 1; i <= PER_PUBLISHER; i++) {
                        p.send(new Command.Publish((long) i, "ticks", IntNode.valueOf(i), null, null));
                        if (i % 100 == 0) {
                            long id = i;
                            p.expect(ServerMessage.Ack.class, a -> a.id() == id - 50); // keep ~50-100 in flight
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join(20_000);
        }
        assertThat(failure.get()).isNull();
        for (TestHubClient s : subscribers) {
            List<Long> offsets = new ArrayList<>();
            while (offsets.size() < 2 * PER_PUBLISHER) {
                offsets.add(s.expect(Publication.class).offset());
            }
            assertThat(offsets).containsExactlyElementsOf(LongStream.rangeClosed(1, 2 * PER_PUBLISHER).boxed().toList());
        }
    }
}
