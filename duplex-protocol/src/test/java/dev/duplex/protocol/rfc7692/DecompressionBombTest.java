package dev.duplex.protocol.rfc7692;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.protocol.Compression;
import dev.duplex.protocol.Endpoint;
import dev.duplex.protocol.EventRecorder;
import dev.duplex.protocol.Limits;
import dev.duplex.protocol.RawFrames;
import dev.duplex.protocol.Role;
import dev.duplex.protocol.extension.deflate.CompressionPool;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * RELIABILITY D1, decompression bombs: the message limit applies to inflated bytes, checked piece
 * by piece while inflating, so a ~1 KB frame that inflates to 1 MiB costs at most the limit plus
 * one piece, and the error arrives while the frame is still arriving.
 */
class DecompressionBombTest {
    private static final int LIMIT = 64 * 1024;
    private static final int PIECE = CompressionPool.INFLATE_PIECE_BYTES;
    private static final int RSV1 = 0x40;

    private static Endpoint server(Limits limits) {
        return Compression.endpoint(Role.SERVER, limits, Compression.agreement(true, true, 256));
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    private static void assertOnly1009(Endpoint server) {
        List<EventRecorder.Event> events = server.events.takeAll();
        assertThat(events).as("no message delivered, one error").hasSize(1);
        assertThat(events.get(0)).isInstanceOf(EventRecorder.ProtocolError.class);
        assertThat(((EventRecorder.ProtocolError) events.get(0)).code()).isEqualTo(1009);
        List<RawFrames.Frame> written = server.writtenFrames();
        assertThat(written).hasSize(1);
        assertThat(written.get(0).closeCode()).isEqualTo(1009);
        assertThat(server.connection.isFailed()).isTrue();
    }

    @Test
    @DisplayName("1 MiB of zeros deflated (~1 KB) against a 64 KiB limit: 1009 early, nothing delivered, bounded memory")
    void oneMebibyteOfZeros() {
        byte[] payload = Compression.deflate(new byte[1 << 20], 9);
        assertThat(payload.length).as("the bomb's size on the wire").isLessThan(2048);
        byte[] frame = RawFrames.binary(payload).rsv(RSV1).masked().bytes();
        Endpoint server = server(Limits.defaults().withMaxMessageBytes(LIMIT));

        int fedWhenFailed = -1;
        long before = allocatedBytes();
        for (int offset = 0; offset < frame.length; offset += 16) {
            int end = Math.min(offset + 16, frame.length);
            server.receive(Arrays.copyOfRange(frame, offset, end));
            if (fedWhenFailed < 0 && server.events.hasError()) {
                fedWhenFailed = end;
            }
        }
        long allocated = allocatedBytes() - before;

        assertOnly1009(server);
        // 64 KiB inflate from ~64 wire bytes: the limit is crossed at the fifth 16 KiB piece.
        assertThat(fedWhenFailed).as("bytes fed when 1009 was reported, of %d", frame.length).isPositive().isLessThan(frame.length / 4);
        // The assembly grows 16 → 32 → 64 KiB and stops; inflating the whole bomb would take 1 MiB or more.
        assertThat(allocated).as("bytes allocated while receiving the bomb").isLessThan(2L * LIMIT + 2L * PIECE);
    }

    @Test
    @DisplayName("The limit is on inflated bytes: exactly the limit is delivered, one byte more is 1009")
    void limitIsOnInflatedBytes() {
        Endpoint atLimit = server(Limits.defaults().withMaxMessageBytes(LIMIT));
        atLimit.receive(RawFrames.binary(Compression.deflate(new byte[LIMIT], 6)).rsv(RSV1).masked().bytes());
        assertThat(atLimit.events.takeAll()).containsExactly(EventRecorder.binary(new byte[LIMIT]));

        Endpoint over = server(Limits.defaults().withMaxMessageBytes(LIMIT));
        over.receive(RawFrames.binary(Compression.deflate(new byte[LIMIT + 1], 6)).rsv(RSV1).masked().bytes());
        assertOnly1009(over);

        // A compressed message is not limited by its wire size when it inflates within the limit.
        byte[] text = "abcdefgh".repeat(LIMIT / 8).getBytes(StandardCharsets.US_ASCII);
        Endpoint small = server(Limits.defaults().withMaxMessageBytes(LIMIT).withMaxFrameBytes(1000));
        small.receive(RawFrames.text("").payload(Compression.deflate(text, 6)).rsv(RSV1).masked().bytes());
        assertThat(small.events.takeAll()).containsExactly(EventRecorder.text(new String(text, StandardCharsets.US_ASCII)));
    }

    @Test
    @DisplayName("16 MiB of zeros fragmented over many frames: 1009 long before the last frame, nothing delivered")
    void sixteenMebibytesFragmented() {
        byte[] payload = Compression.deflate(new byte[16 << 20], 9);
        List<byte[]> frames = new ArrayList<>();
        int size = 128;
        for (int offset = 0; offset < payload.length; offset += size) {
            byte[] part = Arrays.copyOfRange(payload, offset, Math.min(offset + size, payload.length));
            boolean first = offset == 0;
            boolean last = offset + size >= payload.length;
            frames.add((first ? RawFrames.text("").payload(part).rsv(RSV1) : RawFrames.continuation(part)).fin(last).masked().bytes());
        }
        assertThat(frames.size()).isGreaterThan(100).isLessThan(1024);

        for (long limit : new long[] {LIMIT, 1 << 20}) {
            Endpoint server = server(Limits.defaults().withMaxMessageBytes(limit));
            int framesWhenFailed = -1;
            for (int i = 0; i < frames.size(); i++) {
                server.receive(frames.get(i));
                if (framesWhenFailed < 0 && server.events.hasError()) {
                    framesWhenFailed = i + 1;
                }
            }
            assertOnly1009(server);
            assertThat(framesWhenFailed).as("frames fed when 1009 was reported, limit %d", limit)
                    .isPositive().isLessThan(frames.size() / 4);
        }
    }

    @Test
    @DisplayName("With a streaming threshold a large compressed message arrives in parts as it inflates, never whole")
    void streamingThresholdDeliversParts() {
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        for (int i = 0; plain.size() < 4 << 20; i++) {
            plain.writeBytes(("{\"seq\":" + i + ",\"payload\":\"" + "x".repeat(i % 97) + "\"}\n").getBytes(StandardCharsets.US_ASCII));
        }
        byte[] message = plain.toByteArray();
        byte[] frame = RawFrames.text("").payload(Compression.deflate(message, 6)).rsv(RSV1).masked().bytes();
        int threshold = 32 * 1024;
        Endpoint server = server(Limits.defaults().withMaxMessageBytes(8 << 20).withStreamingThresholdBytes(threshold));

        int fedAtFirstPart = -1;
        for (int offset = 0; offset < frame.length; offset += 4096) {
            int end = Math.min(offset + 4096, frame.length);
            server.receive(Arrays.copyOfRange(frame, offset, end));
            if (fedAtFirstPart < 0 && !server.events.events().isEmpty()) {
                fedAtFirstPart = end;
            }
        }
        List<EventRecorder.Event> events = server.events.takeAll();
        assertThat(fedAtFirstPart).as("parts flow before the frame is complete").isLessThan(frame.length);
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i)).as("event %d", i).isInstanceOf(EventRecorder.Part.class);
            EventRecorder.Part part = (EventRecorder.Part) events.get(i);
            assertThat(part.text()).isTrue();
            assertThat(part.last()).as("last flag of part %d", i).isEqualTo(i == events.size() - 1);
            assertThat(part.bytes().length).as("part %d", i).isLessThanOrEqualTo(Math.max(threshold, PIECE));
            received.writeBytes(part.bytes());
        }
        assertThat(events.size()).isGreaterThan(100);
        assertThat(received.toByteArray()).isEqualTo(message);
        assertThat(server.written()).isEmpty();
    }
}
