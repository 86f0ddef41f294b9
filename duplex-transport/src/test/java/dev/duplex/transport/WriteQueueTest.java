package dev.duplex.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import org.junit.jupiter.api.Test;

class WriteQueueTest {
    /** A channel that takes at most {@code budget} bytes per write call. */
    private static final class ThrottledChannel implements GatheringByteChannel {
        final ByteArrayOutputStream sink = new ByteArrayOutputStream();
        int budget;
        int writeCalls;

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            writeCalls++;
            long total = 0;
            for (int i = offset; i < offset + length && total < budget; i++) {
                int n = (int) Math.min(srcs[i].remaining(), budget - total);
                for (int j = 0; j < n; j++) {
                    sink.write(srcs[i].get());
                }
                total += n;
            }
            return total;
        }

        @Override
        public long write(ByteBuffer[] srcs) {
            return write(srcs, 0, srcs.length);
        }

        @Override
        public int write(ByteBuffer src) {
            return (int) write(new ByteBuffer[] {src});
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {}
    }

    private final ChunkPool pool = new ChunkPool();
    private final WriteQueue queue = new WriteQueue(pool);
    private final ThrottledChannel channel = new ThrottledChannel();
    private final ByteBuffer[] gather = new ByteBuffer[64];

    @Test
    void appendsAcrossChunksAndDrainsInOrderReturningChunksToThePool() throws Exception {
        byte[] first = TestSupport.pattern(40_000, 1);
        byte[] second = TestSupport.pattern(10, 2);
        assertThat(queue.append(ByteBuffer.wrap(first))).isEqualTo(40_000);
        assertThat(queue.append(ByteBuffer.wrap(second))).isEqualTo(10);

        channel.budget = 25_000;
        assertThat(queue.flushTo(channel, gather)).isEqualTo(25_000);
        assertThat(queue.isEmpty()).isFalse();
        assertThat(pool.freeCount()).isEqualTo(1); // the first 16 KiB chunk is done

        channel.budget = Integer.MAX_VALUE;
        assertThat(queue.flushTo(channel, gather)).isEqualTo(15_010);
        assertThat(queue.isEmpty()).isTrue();
        assertThat(pool.freeCount()).isEqualTo(3);
        assertThat(gather).containsOnlyNulls();

        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(first);
        expected.write(second);
        assertThat(channel.sink.toByteArray()).isEqualTo(expected.toByteArray());
    }

    @Test
    void largeQueuesAreWrittenWithGatheringWrites() throws Exception {
        queue.append(ByteBuffer.wrap(TestSupport.pattern(2 * 1024 * 1024, 3)));
        channel.budget = Integer.MAX_VALUE;
        assertThat(queue.flushTo(channel, gather)).isEqualTo(2 * 1024 * 1024);
        assertThat(channel.writeCalls).isEqualTo(2); // 128 chunks, 64 per gathering write
        assertThat(pool.freeCount()).isEqualTo(ChunkPool.MAX_POOLED);
    }

    @Test
    void releaseReturnsEveryChunk() {
        queue.append(ByteBuffer.wrap(new byte[50_000]));
        queue.release();
        assertThat(queue.isEmpty()).isTrue();
        assertThat(pool.freeCount()).isEqualTo(4);
        assertThat(pool.acquire().buffer.remaining()).isZero();
    }
}
