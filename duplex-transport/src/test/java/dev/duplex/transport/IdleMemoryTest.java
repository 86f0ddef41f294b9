package dev.duplex.transport;

import static dev.duplex.transport.TestSupport.ANY_LOCAL_PORT;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Rough retained heap of an idle connection, JDK socket objects included. Both ends are our
 * connections, so N pairs are 2N connections.
 */
class IdleMemoryTest {
    private static final int PAIRS = 2_000;
    private static final long BOUND_BYTES = 2 * 1024;

    /** One shared, stateless handler, so only the transport's own objects are measured. */
    private static final class CountingHandler implements ConnectionHandler {
        final CountDownLatch opened = new CountDownLatch(2 * PAIRS);
        final CountDownLatch closed = new CountDownLatch(2 * PAIRS);

        @Override
        public void onOpen(TcpConnection connection) {
            opened.countDown();
        }

        @Override
        public void onData(TcpConnection connection, ByteBuffer data) {
            data.position(data.limit());
        }

        @Override
        public void onClosed(TcpConnection connection, Throwable cause) {
            closed.countDown();
        }
    }

    @Test
    void anIdleConnectionRetainsLessThanTwoKibibytes() throws Exception {
        CountingHandler handler = new CountingHandler();
        EventLoopGroup group = new EventLoopGroup(2);
        try (TcpServer server = TcpServer.bind(group, ANY_LOCAL_PORT, TransportOptions.defaults(), () -> handler)) {
            long before = usedHeapAfterGc();

            for (int batch = 0; batch < PAIRS; batch += 200) {
                List<CompletableFuture<TcpConnection>> pending = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    pending.add(TcpClient.connect(group.next(), server.localAddress(), TransportOptions.defaults(), handler));
                }
                CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0]))
                        .get(TestSupport.WAIT_SECONDS, TimeUnit.SECONDS);
            }
            assertThat(handler.opened.await(TestSupport.WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(server.connectionCount()).isEqualTo(PAIRS);

            long after = usedHeapAfterGc();
            long perConnection = (after - before) / (2L * PAIRS);
            System.out.printf("Idle connection retained heap: %d bytes per connection (%d connections, %d bytes total)%n",
                    perConnection, 2 * PAIRS, after - before);

            assertThat(perConnection).isPositive().isLessThan(BOUND_BYTES);
        } finally {
            group.close();
        }
        assertThat(handler.closed.await(TestSupport.WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    }

    private static long usedHeapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
