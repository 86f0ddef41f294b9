package dev.duplex.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The steady state of a connection allocates nothing per message: small frames in, echoes out,
 * measured with the JVM's per-thread allocation counter after a warm-up.
 */
class HotPathAllocationTest {
    private static final int WARM_UP = 20_000;
    private static final int ITERATIONS = 100_000;
    /** Fixed allowance for the measurement itself and anything the JVM does once. */
    private static final long NOISE_BYTES = 8 * 1024;

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    /** Echoes every message through the zero-copy send methods. */
    private static final class Echo implements ConnectionListener {
        Connection connection;
        ByteOutput out;
        long messages;
        long bytes;

        @Override
        public void onBinary(ByteBuffer data) {
            messages++;
            bytes += data.remaining();
            connection.sendBinary(data, out);
        }

        @Override
        public void onText(ByteBuffer utf8) {
            messages++;
            bytes += utf8.remaining();
            connection.sendTextUtf8(utf8, out);
        }

        @Override
        public void onProtocolError(ProtocolException error) {
            throw new AssertionError(error.getMessage());
        }
    }

    /** A pristine masked frame and the working copy the connection unmasks in place. */
    private static final class Input {
        final byte[] pristine;
        final byte[] work;
        final ByteBuffer buffer;

        Input(byte[] frame) {
            pristine = frame;
            work = frame.clone();
            buffer = ByteBuffer.wrap(work);
        }

        ByteBuffer fresh() {
            System.arraycopy(pristine, 0, work, 0, pristine.length);
            buffer.clear();
            return buffer;
        }
    }

    @Test
    @DisplayName("A server parsing 20-byte masked binary and text frames and echoing them allocates < 1 byte per message")
    void serverEchoAllocatesNothingPerMessage() {
        Echo echo = new Echo();
        ByteOutput out = new ByteOutput(4096, false);
        Connection server = new Connection(Role.SERVER, Limits.defaults(), null);
        echo.connection = server;
        echo.out = out;
        Input binary = new Input(RawFrames.binary(new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19})
                .mask(0x1a2b3c4d).bytes());
        byte[] text = "héllo wörld κόσ".getBytes(StandardCharsets.UTF_8);
        assertThat(text).hasSize(20);
        Input textFrame = new Input(RawFrames.frame(0x1).payload(text).mask(0x5e6f7a8b).bytes());

        for (int i = 0; i < WARM_UP; i++) {
            echoOnce(server, out, echo, binary, textFrame);
        }
        long messagesBefore = echo.messages;
        long before = allocatedBytes();
        for (int i = 0; i < ITERATIONS; i++) {
            echoOnce(server, out, echo, binary, textFrame);
        }
        long allocated = allocatedBytes() - before;
        long messages = echo.messages - messagesBefore;

        assertThat(messages).isEqualTo(2L * ITERATIONS);
        assertThat(echo.bytes).isEqualTo(40L * (WARM_UP + ITERATIONS));
        assertThat(server.state()).isEqualTo(Connection.State.OPEN);
        assertThat(allocated - NOISE_BYTES).as("%d bytes allocated for %d messages", allocated, messages).isLessThan(messages);
    }

    private static void echoOnce(Connection server, ByteOutput out, Echo echo, Input binary, Input text) {
        server.receive(binary.fresh(), out, echo);
        if (out.size() != 22) {
            throw new AssertionError("binary echo of " + out.size() + " bytes");
        }
        out.clear();
        server.receive(text.fresh(), out, echo);
        if (out.size() != 22) {
            throw new AssertionError("text echo of " + out.size() + " bytes");
        }
        out.clear();
    }

    @Test
    @DisplayName("A client writing sendText(…) with a seeded mask source allocates < 1 byte per message")
    void clientSendTextAllocatesNothingPerMessage() {
        ByteOutput out = new ByteOutput(4096, false);
        Connection client = new Connection(Role.CLIENT, Limits.defaults(), new Random(1234));
        String message = "hello world, this is a steady stream of small messages ✓";
        int frameSize = 2 + 4 + message.getBytes(StandardCharsets.UTF_8).length;

        for (int i = 0; i < WARM_UP; i++) {
            sendOnce(client, out, message, frameSize);
        }
        long before = allocatedBytes();
        for (int i = 0; i < ITERATIONS; i++) {
            sendOnce(client, out, message, frameSize);
        }
        long allocated = allocatedBytes() - before;

        assertThat(allocated - NOISE_BYTES).as("%d bytes allocated for %d messages", allocated, ITERATIONS).isLessThan(ITERATIONS);
    }

    private static void sendOnce(Connection client, ByteOutput out, String message, int frameSize) {
        client.sendText(message, out);
        if (out.size() != frameSize) {
            throw new AssertionError("frame of " + out.size() + " bytes");
        }
        out.clear();
    }

    @Test
    @DisplayName("Pings answered with pongs allocate nothing per ping once the control buffer exists")
    void pingPongAllocatesNothingPerPing() {
        ByteOutput out = new ByteOutput(4096, false);
        ConnectionListener ignore = new ConnectionListener() {
        };
        Connection server = new Connection(Role.SERVER, Limits.defaults(), null);
        Input ping = new Input(RawFrames.ping("keep-alive 0123456789".getBytes(StandardCharsets.US_ASCII)).mask(0x01020304).bytes());
        for (int i = 0; i < WARM_UP; i++) {
            server.receive(ping.fresh(), out, ignore);
            out.clear();
        }
        long before = allocatedBytes();
        for (int i = 0; i < ITERATIONS; i++) {
            server.receive(ping.fresh(), out, ignore);
            if (out.size() != 23) {
                throw new AssertionError("pong of " + out.size() + " bytes");
            }
            out.clear();
        }
        long allocated = allocatedBytes() - before;
        assertThat(allocated - NOISE_BYTES).as("%d bytes allocated for %d pings", allocated, ITERATIONS).isLessThan(ITERATIONS);
    }
}
