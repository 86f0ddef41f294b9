package dev.duplex.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.protocol.extension.deflate.CompressionPool;
import dev.duplex.protocol.extension.deflate.DeflateAgreement;
import dev.duplex.protocol.extension.deflate.PerMessageDeflate;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * With permessage-deflate and no context takeover, compressing and sending a 1 KiB message, and
 * receiving and inflating one, allocate (near) nothing per message once warm: zlib state is pooled
 * and the scratch buffers belong to the loop. Same technique as {@link HotPathAllocationTest}.
 */
class CompressedHotPathAllocationTest {
    private static final int WARM_UP = 10_000;
    private static final int ITERATIONS = 40_000;
    private static final long NOISE_BYTES = 8 * 1024;
    private static final long BOUND_PER_MESSAGE = 64;
    private static final DeflateAgreement NO_TAKEOVER = new DeflateAgreement(true, true, 15, 15, 6, 256);
    private static final String MESSAGE;

    static {
        StringBuilder b = new StringBuilder();
        for (int i = 0; b.length() < 1024; i++) {
            b.append("{\"seq\":").append(i).append(",\"price\":").append(100 + i * 7 % 13).append(",\"side\":\"bid\"}");
        }
        MESSAGE = b.substring(0, 1024);
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    @Test
    @DisplayName("A client compressing and sending 1 KiB text and binary messages allocates < 64 bytes per message")
    void compressAndSend() {
        ByteOutput out = new ByteOutput(4096, false);
        Connection client = new Connection(Role.CLIENT, Limits.defaults(), new Random(1234),
                new PerMessageDeflate(NO_TAKEOVER, new CompressionPool()));
        ByteBuffer binary = ByteBuffer.wrap(MESSAGE.getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < WARM_UP; i++) {
            sendOnce(client, out, binary);
        }
        long before = allocatedBytes();
        for (int i = 0; i < ITERATIONS; i++) {
            sendOnce(client, out, binary);
        }
        long allocated = allocatedBytes() - before;
        long messages = 2L * ITERATIONS;
        assertThat((allocated - NOISE_BYTES) / messages).as("%d bytes allocated for %d messages", allocated, messages)
                .isLessThan(BOUND_PER_MESSAGE);
    }

    private static void sendOnce(Connection client, ByteOutput out, ByteBuffer binary) {
        client.sendText(MESSAGE, out);
        client.sendBinary(binary, out);
        int size = out.size();
        if (size < 20 || size > 2 * 600) {
            throw new AssertionError("two compressed frames of " + size + " bytes");
        }
        out.clear();
    }

    /** Counts messages; checks the size without allocating. */
    private static final class Counter implements ConnectionListener {
        long messages;
        long bytes;

        @Override
        public void onText(ByteBuffer utf8) {
            messages++;
            bytes += utf8.remaining();
        }

        @Override
        public void onBinary(ByteBuffer data) {
            messages++;
            bytes += data.remaining();
        }

        @Override
        public void onProtocolError(ProtocolException error) {
            throw new AssertionError(error.getMessage());
        }
    }

    @Test
    @DisplayName("A server receiving and inflating 1 KiB compressed messages allocates < 64 bytes per message")
    void receiveAndInflate() {
        // The frames as a compressing client writes them.
        ByteOutput clientOut = new ByteOutput(4096, false);
        Connection client = new Connection(Role.CLIENT, Limits.defaults(), new Random(99),
                new PerMessageDeflate(NO_TAKEOVER, new CompressionPool()));
        client.sendText(MESSAGE, clientOut);
        client.sendBinary(ByteBuffer.wrap(MESSAGE.getBytes(StandardCharsets.UTF_8)), clientOut);
        ByteBuffer written = clientOut.flip();
        byte[] pristine = new byte[written.remaining()];
        written.get(pristine);
        assertThat(RawFrames.decode(pristine)).hasSize(2).allMatch(f -> f.rsv() == 0x40);
        byte[] work = pristine.clone();
        ByteBuffer input = ByteBuffer.wrap(work);

        Counter counter = new Counter();
        ByteOutput out = new ByteOutput(4096, false);
        Connection server = new Connection(Role.SERVER, Limits.defaults(), null,
                new PerMessageDeflate(NO_TAKEOVER, new CompressionPool()));
        for (int i = 0; i < WARM_UP; i++) {
            System.arraycopy(pristine, 0, work, 0, pristine.length);
            server.receive(input.clear(), out, counter);
        }
        long messagesBefore = counter.messages;
        long before = allocatedBytes();
        for (int i = 0; i < ITERATIONS; i++) {
            System.arraycopy(pristine, 0, work, 0, pristine.length);
            server.receive(input.clear(), out, counter);
        }
        long allocated = allocatedBytes() - before;
        long messages = counter.messages - messagesBefore;

        assertThat(messages).isEqualTo(2L * ITERATIONS);
        assertThat(counter.bytes).isEqualTo(2048L * (WARM_UP + ITERATIONS));
        assertThat(out.size()).isZero();
        assertThat((allocated - NOISE_BYTES) / messages).as("%d bytes allocated for %d messages", allocated, messages)
                .isLessThan(BOUND_PER_MESSAGE);
    }
}
