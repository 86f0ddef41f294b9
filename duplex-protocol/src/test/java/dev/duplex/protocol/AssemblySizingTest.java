package dev.duplex.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A message that spans reads is copied into an assembly buffer. Its size follows the frame
 * header's announced length, but never beyond twice the bytes the peer has sent; the memory
 * budget sees every byte reserved.
 */
class AssemblySizingTest {
    private static final int KIB = 1024;

    private static Connection server(EventRecorder events, MemoryBudget budget) {
        Connection server = new Connection(Role.SERVER, Limits.defaults().withMaxFrameBytes(16 * KIB * KIB).withMaxMessageBytes(16 * KIB * KIB),
                null);
        server.memoryBudget(budget);
        return server;
    }

    private static void feed(Connection server, EventRecorder events, byte[] bytes, int from, int to, int chunk) {
        for (int offset = from; offset < to; offset += chunk) {
            server.receive(ByteBuffer.wrap(Arrays.copyOfRange(bytes, offset, Math.min(offset + chunk, to))),
                    new ByteOutput(64, false), events);
        }
    }

    @Test
    @DisplayName("A 64 KiB frame whose first read brings 40 KiB is assembled in one buffer of its exact size")
    void oneFrameIsAssembledInOneExactBuffer() {
        byte[] payload = new byte[64 * KIB];
        Arrays.fill(payload, (byte) 7);
        byte[] frame = RawFrames.binary(payload).masked().bytes();
        EventRecorder events = new EventRecorder();
        MemoryBudget budget = new MemoryBudget(1 << 30);
        Connection server = server(events, budget);

        feed(server, events, frame, 0, 40 * KIB, 40 * KIB);
        assertThat(budget.used()).as("reserved after the first read").isEqualTo(64 * KIB);
        feed(server, events, frame, 40 * KIB, frame.length - 1, 4 * KIB);
        assertThat(budget.used()).as("never grown").isEqualTo(64 * KIB);
        feed(server, events, frame, frame.length - 1, frame.length, 1);

        List<EventRecorder.Event> delivered = events.takeAll();
        assertThat(delivered).containsExactly(EventRecorder.binary(payload));
        assertThat(budget.used()).as("released once delivered").isZero();
    }

    @Test
    @DisplayName("A header announcing 16 MiB with 100 bytes behind it reserves 256 bytes, not 16 MiB")
    void anAnnouncedLengthIsTrustedOnlyAsFarAsBytesArrived() {
        byte[] frame = RawFrames.binary(new byte[16 * KIB * KIB]).masked().bytes();
        EventRecorder events = new EventRecorder();
        MemoryBudget budget = new MemoryBudget(1 << 30);
        Connection server = server(events, budget);

        server.receive(ByteBuffer.wrap(Arrays.copyOfRange(frame, 0, 14 + 100)), new ByteOutput(64, false), events);
        assertThat(budget.used()).as("twice what arrived, at least the smallest buffer").isEqualTo(256);

        // With 1 MiB sent, the trusted look-ahead grows with it: at most twice what arrived.
        feed(server, events, frame, 14 + 100, 14 + KIB * KIB, 64 * KIB);
        assertThat(budget.used()).isBetween((long) KIB * KIB, 2L * KIB * KIB);
        assertThat(events.takeAll()).isEmpty();
    }

    @Test
    @DisplayName("A message in many small frames grows by doubling, so copies stay linear in its size")
    void fragmentedMessagesGrowByDoubling() {
        EventRecorder events = new EventRecorder();
        MemoryBudget budget = new MemoryBudget(1 << 30);
        Connection server = server(events, budget);
        byte[] part = new byte[KIB];
        Arrays.fill(part, (byte) 'x');

        server.receive(ByteBuffer.wrap(RawFrames.frame(0x2).fin(false).payload(part).masked().bytes()), new ByteOutput(64, false), events);
        for (int i = 1; i < 255; i++) {
            server.receive(ByteBuffer.wrap(RawFrames.frame(0x0).fin(false).payload(part).masked().bytes()), new ByteOutput(64, false), events);
        }
        assertThat(budget.used()).as("255 KiB buffered in a doubled buffer").isEqualTo(256 * KIB);
        server.receive(ByteBuffer.wrap(RawFrames.frame(0x0).payload(part).masked().bytes()), new ByteOutput(64, false), events);

        byte[] whole = new byte[256 * KIB];
        Arrays.fill(whole, (byte) 'x');
        assertThat(events.takeAll()).containsExactly(EventRecorder.binary(whole));
    }
}
