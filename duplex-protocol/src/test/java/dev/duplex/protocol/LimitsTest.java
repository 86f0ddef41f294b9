package dev.duplex.protocol;

import static dev.duplex.protocol.EventRecorder.binary;
import static dev.duplex.protocol.EventRecorder.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duplex.protocol.EventRecorder.BinaryMessage;
import dev.duplex.protocol.EventRecorder.Event;
import dev.duplex.protocol.EventRecorder.Part;
import dev.duplex.protocol.EventRecorder.TextMessage;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Limits}: size limits fail with 1009 before the payload is buffered; streaming above a threshold. */
class LimitsTest {

    private static byte[] pattern(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 13 + 1);
        }
        return bytes;
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    @Test
    @DisplayName("A frame over maxFrameBytes fails with 1009 at its header, before any payload is delivered")
    void frameOverTheLimitFailsAtTheHeader() {
        Limits limits = Limits.defaults().withMaxFrameBytes(100);
        byte[] frame = RawFrames.binary(pattern(101)).masked().bytes();
        Endpoint server = Endpoint.server(limits).receive(Arrays.copyOf(frame, 8)); // header and mask only
        assertThat(server.events.takeErrorCode()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
        assertThat(server.writtenFrames()).singleElement().extracting(RawFrames.Frame::closeCode).isEqualTo(1009);
        server.receive(Arrays.copyOfRange(frame, 8, frame.length));
        server.events.assertExhausted();
    }

    @Test
    void frameAtTheLimitIsAccepted() {
        Endpoint server = Endpoint.server(Limits.defaults().withMaxFrameBytes(100)).receive(RawFrames.binary(pattern(100)).masked().bytes());
        assertThat(server.events.take()).isEqualTo(binary(pattern(100)));
        server.events.assertExhausted();
    }

    @Test
    @DisplayName("A message over maxMessageBytes across fragments fails with 1009 at the header of the frame that crosses it")
    void messageOverTheLimitAcrossFragments() {
        Limits limits = Limits.defaults().withMaxMessageBytes(100);
        Endpoint server = Endpoint.server(limits).receive(RawFrames.binary(pattern(60)).fin(false).masked().bytes());
        server.events.assertExhausted();
        byte[] second = RawFrames.continuation(pattern(41)).masked().bytes();
        server.receive(Arrays.copyOf(second, 6));
        assertThat(server.events.takeErrorCode()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
        server.receive(Arrays.copyOfRange(second, 6, second.length));
        server.events.assertExhausted();
    }

    @Test
    void messageAtTheLimitAcrossFragmentsIsAccepted() {
        Limits limits = Limits.defaults().withMaxMessageBytes(100);
        Endpoint server = Endpoint.server(limits).receive(
                RawFrames.binary(pattern(60)).fin(false).masked().bytes(),
                RawFrames.continuation(new byte[0]).fin(false).masked().bytes(),
                RawFrames.continuation(pattern(40)).masked().bytes());
        byte[] expected = new byte[100];
        System.arraycopy(pattern(60), 0, expected, 0, 60);
        System.arraycopy(pattern(40), 0, expected, 60, 40);
        assertThat(server.events.take()).isEqualTo(binary(expected));
        server.events.assertExhausted();
    }

    @Test
    void theMessageLimitStartsAgainForEachMessage() {
        Endpoint server = Endpoint.server(Limits.defaults().withMaxMessageBytes(100));
        for (int i = 0; i < 5; i++) {
            server.receive(RawFrames.text("x".repeat(60)).fin(false).masked().bytes(),
                    RawFrames.continuation("y".repeat(40).getBytes()).masked().bytes());
            assertThat(server.events.take()).isEqualTo(text("x".repeat(60) + "y".repeat(40)));
        }
        server.events.assertExhausted();
    }

    @Test
    @DisplayName("RELIABILITY F2: a header declaring 1 GiB fails with 1009 at once, without allocating (82 FF 00 00 00 00 40 00 00 00 + mask)")
    void gigabyteHeaderFailsWithoutAllocating() {
        byte[] header = Hex.parse("82 ff 00 00 00 00 40 00 00 00 11 22 33 44");
        Endpoint.server().receive(header); // warm-up: class loading and string concatenation bootstrap, once per JVM
        Endpoint server = Endpoint.server();
        long before = allocatedBytes();
        server.receive(header);
        long allocated = allocatedBytes() - before;
        assertThat(server.events.takeErrorCode()).as("1009 before any payload was fed").isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
        assertThat(allocated).as("bytes allocated while reading the header").isLessThan(64 * 1024);
        server.events.assertExhausted();
        assertThat(server.writtenFrames()).singleElement().extracting(RawFrames.Frame::closeCode).isEqualTo(1009);
    }

    @Test
    @DisplayName("RELIABILITY F2: without limits, buffers grow with the bytes that arrive, never with the declared length")
    void withoutLimitsBuffersGrowOnlyWithArrivingBytes() {
        Limits unlimited = new Limits(Limits.NO_LIMIT, Limits.NO_LIMIT, -1, Limits.NO_LIMIT);
        byte[] header = Hex.parse("82 ff 00 00 00 00 40 00 00 00 11 22 33 44");
        byte[] chunk = new byte[64 * 1024];
        Endpoint.server(unlimited).receive(header, chunk); // warm-up
        Endpoint server = Endpoint.server(unlimited);
        long before = allocatedBytes();
        server.connection.receive(java.nio.ByteBuffer.wrap(header), server.out, server.events);
        server.connection.receive(java.nio.ByteBuffer.wrap(chunk), server.out, server.events);
        long allocated = allocatedBytes() - before;
        server.events.assertExhausted();
        assertThat(allocated).isLessThan(4L << 20);
    }

    @Test
    @DisplayName("A message up to the streaming threshold is delivered whole")
    void messageAtTheThresholdIsWhole() {
        Limits limits = Limits.defaults().withStreamingThresholdBytes(100);
        Endpoint server = Endpoint.server(limits).receive(RawFrames.binary(pattern(100)).masked().bytes());
        assertThat(server.events.take()).isEqualTo(binary(pattern(100)));
        server.events.assertExhausted();
    }

    @Test
    @DisplayName("A single-frame message above the threshold arriving in one read is delivered in parts, not whole")
    void singleFrameAboveTheThresholdIsStreamed() {
        Limits limits = Limits.defaults().withStreamingThresholdBytes(100);
        Endpoint server = Endpoint.server(limits).receive(RawFrames.binary(pattern(101)).masked().bytes());
        List<Event> events = server.events.takeAll();
        assertOnlyParts(events, false);
        assertThat(concat(events)).isEqualTo(pattern(101));
    }

    @Test
    @DisplayName("A fragmented message above the threshold is delivered as parts as it arrives, the last flagged last")
    void fragmentedMessageAboveTheThresholdIsStreamed() {
        Limits limits = Limits.defaults().withStreamingThresholdBytes(100);
        byte[] whole = pattern(300);
        Endpoint server = Endpoint.server(limits).receive(RawFrames.binary(Arrays.copyOfRange(whole, 0, 100)).fin(false).masked().bytes());
        server.events.assertExhausted(); // 100 bytes: still within the threshold, held
        server.receive(RawFrames.continuation(Arrays.copyOfRange(whole, 100, 200)).fin(false).masked().bytes());
        assertThat(server.events.events()).isNotEmpty().allSatisfy(e -> assertThat(((Part) e).last()).isFalse());
        server.receive(RawFrames.continuation(Arrays.copyOfRange(whole, 200, 300)).masked().bytes());
        List<Event> events = server.events.takeAll();
        assertOnlyParts(events, false);
        assertThat(concat(events)).isEqualTo(whole);
    }

    @Test
    void textAboveTheThresholdIsStreamedAsTextParts() {
        Limits limits = Limits.defaults().withStreamingThresholdBytes(10);
        String text = "κόσμε-𝄞-".repeat(10);
        Endpoint server = Endpoint.server(limits).receiveByteByByte(RawFrames.text(text).masked().bytes());
        List<Event> events = server.events.takeAll();
        assertOnlyParts(events, true);
        assertThat(new String(concat(events), StandardCharsets.UTF_8)).isEqualTo(text);
    }

    @Test
    @DisplayName("Streaming applies per message: a small message after a streamed one is whole again")
    void streamingIsPerMessage() {
        Limits limits = Limits.defaults().withStreamingThresholdBytes(100);
        Endpoint server = Endpoint.server(limits).receive(
                RawFrames.binary(pattern(200)).fin(false).masked().bytes(),
                RawFrames.continuation(pattern(10)).masked().bytes(),
                RawFrames.text("small").masked().bytes());
        List<Event> events = server.events.takeAll();
        assertThat(events.get(events.size() - 1)).isEqualTo(text("small"));
        assertOnlyParts(events.subList(0, events.size() - 1), false);
    }

    @ParameterizedTest(name = "threshold {0}: random messages and reads never yield a whole message above it")
    @ValueSource(ints = {0, 1, 100, 1000})
    void neverAWholeMessageAboveTheThreshold(int threshold) {
        Random random = new Random(threshold);
        Limits limits = Limits.defaults().withStreamingThresholdBytes(threshold);
        Endpoint server = Endpoint.server(limits);
        for (int n = 0; n < 300; n++) {
            byte[] payload = pattern(random.nextInt(2 * threshold + 3));
            byte[] wire = fragments(random, payload);
            for (int at = 0; at < wire.length; ) {
                int size = Math.min(wire.length - at, 1 + random.nextInt(wire.length));
                server.receive(Arrays.copyOfRange(wire, at, at + size));
                at += size;
            }
            List<Event> events = server.events.takeAll();
            if (payload.length <= threshold) {
                assertThat(events).as("%d bytes", payload.length).containsExactly(binary(payload));
            } else {
                assertOnlyParts(events, false);
                assertThat(concat(events)).isEqualTo(payload);
            }
        }
    }

    private static byte[] fragments(Random random, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = 0;
        boolean first = true;
        do {
            int size = Math.min(payload.length - at, random.nextInt(payload.length + 1));
            boolean last = at + size == payload.length && random.nextBoolean() || at + size == payload.length && size == 0;
            byte[] piece = Arrays.copyOfRange(payload, at, at + size);
            out.writeBytes((first ? RawFrames.binary(piece) : RawFrames.continuation(piece)).fin(last).masked().bytes());
            first = false;
            at += size;
            if (last) {
                break;
            }
        } while (true);
        return out.toByteArray();
    }

    private static void assertOnlyParts(List<Event> events, boolean text) {
        assertThat(events).isNotEmpty().noneMatch(e -> e instanceof BinaryMessage || e instanceof TextMessage)
                .allSatisfy(e -> assertThat(((Part) e).text()).isEqualTo(text));
        for (int i = 0; i < events.size(); i++) {
            assertThat(((Part) events.get(i)).last()).as("part %d of %d is last", i, events.size()).isEqualTo(i == events.size() - 1);
        }
    }

    private static byte[] concat(List<Event> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Event e : parts) {
            out.writeBytes(((Part) e).bytes());
        }
        return out.toByteArray();
    }

    @Test
    void limitsRefuseNonsense() {
        assertThatThrownBy(() -> Limits.defaults().withMaxFrameBytes(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Limits.defaults().withMaxFrameBytes(-2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Limits.defaults().withMaxMessageBytes(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Limits.defaults().withMaxFragments(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Limits.defaults().withMaxFragments(-5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Limits.defaults().withStreamingThresholdBytes(-2)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Limits.defaults().withStreamingThresholdBytes(0).streamingThresholdBytes()).isZero();
    }

    @Test
    void defaultsAreConservative() {
        Limits limits = Limits.defaults();
        assertThat(limits.maxFrameBytes()).isEqualTo(1 << 20);
        assertThat(limits.maxMessageBytes()).isEqualTo(1 << 20);
        assertThat(limits.maxFragments()).isEqualTo(1024);
        assertThat(limits.streamingThresholdBytes()).isEqualTo(Limits.NO_LIMIT);
    }
}
