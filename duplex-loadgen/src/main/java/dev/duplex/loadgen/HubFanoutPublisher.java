package dev.duplex.loadgen;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.duplex.loadgen.HubFanoutPatterns.ACK;
import static dev.duplex.loadgen.HubFanoutPatterns.ID;

/**
 * A publisher of {@code duplex bench fanout --hub} ({@link HubFanoutBenchmark}): publications
 * {@code index}, {@code index + P}, {@code index + 2P}, … of the run's schedule, each at its intended
 * time; its task sends every one due by now. It counts and times the {@code ack}s.
 */
final class HubFanoutPublisher extends HubFanoutConnection implements Runnable {
    private static final long BACKLOG_LIMIT = 4L << 20;

    private final int index;
    private final byte[] command;
    private final ByteBuffer commandBuffer;
    private final int prefixLength;
    private final byte[] middle;
    private final byte[] suffix;
    final AtomicBoolean scheduled = new AtomicBoolean();
    long published;

    HubFanoutPublisher(LoadRun run, LoopContext ctx, HubFanoutShared s, int index) {
        super(run, ctx, s, System.nanoTime());
        this.index = index;
        String channel = new String(s.channelJson, StandardCharsets.UTF_8);
        // Hub: {"type":"publish","channel":C,"id":ID,"data":D}; Socket.IO: 42ID["publish",{"room":C,"data":D}]
        byte[] prefix = HubText.ascii(s.socketIo ? "42" : "{\"type\":\"publish\",\"channel\":" + channel + ",\"id\":");
        this.middle = HubText.ascii(s.socketIo ? "[\"publish\",{\"room\":" + channel + ",\"data\":" : ",\"data\":");
        this.suffix = HubText.ascii(s.socketIo ? "}]" : "}");
        this.command = new byte[prefix.length + middle.length + s.size + 128];
        System.arraycopy(prefix, 0, command, 0, prefix.length);
        this.prefixLength = prefix.length;
        this.commandBuffer = ByteBuffer.wrap(command);
    }

    /** The publish command of publication {@code seq} (its data exactly {@code size} bytes while seq and t fit). */
    int encode(long seq, long intended) {
        byte[] c = command;
        int i = HubText.writeLong(c, prefixLength, PUBLISH_ID_BASE + seq);
        System.arraycopy(middle, 0, c, i, middle.length);
        i += middle.length;
        int dataStart = i;
        i = put(c, i, "{\"seq\":");
        i = HubText.writeLong(c, i, seq);
        i = put(c, i, ",\"t\":");
        i = HubText.writeLong(c, i, intended);
        i = put(c, i, ",\"pad\":\"");
        int pad = s.size - (i - dataStart) - 2;
        for (int k = 0; k < pad; k++) {
            c[i++] = 'x';
        }
        c[i++] = '"';
        c[i++] = '}';
        System.arraycopy(suffix, 0, c, i, suffix.length);
        return i + suffix.length;
    }

    private static int put(byte[] c, int i, String ascii) {
        for (int k = 0; k < ascii.length(); k++) {
            c[i++] = (byte) ascii.charAt(k);
        }
        return i;
    }

    @Override
    void onConnected() {
        phase = READY;
        s.publishersReady.incrementAndGet();
    }

    @Override
    void onSetupFailed() {
        s.publishersFailed.incrementAndGet();
    }

    @Override
    void onError(long code, long id, String message) {
        if (id >= PUBLISH_ID_BASE) {
            ctx.publishErrors++;
        }
        super.onError(code, id, message);
    }

    @Override
    void onMessage(boolean text, byte[] head, int headLength, long length) {
        long now = System.nanoTime();
        byte[] b = body;
        int n = bodyLength;
        if (text && s.socketIo) {
            long id = SocketIoFrames.ackId(b, n);
            if (id == HubText.NONE) {
                onSocketIoControl(b, n);
            } else {
                acked(id, now);
            }
            return;
        }
        if (text && HubText.startsWith(b, n, ACK)) {
            acked(HubText.longAfter(b, ACK.length, n, ID), now);
            return;
        }
        if (!text) {
            run.errors.record("bad_message", "A " + length + "-byte binary message; the hub speaks text with "
                    + HubFanoutBenchmark.SUBPROTOCOL);
            return;
        }
        onControl(b, n);
    }

    private void acked(long id, long now) {
        ctx.acks++;
        if (id >= PUBLISH_ID_BASE && s.start != 0) {
            ctx.ackLatency.recordValue(Math.min(Math.max(now - s.intended(id - PUBLISH_ID_BASE), 0),
                    LoopContext.HIGHEST_NANOS));
        }
    }

    @Override
    public void run() {
        scheduled.set(false);
        long now = System.nanoTime();
        while (phase == READY && isOpen()) {
            long seq = index + published * s.publishers;
            long intended = s.intended(seq);
            if (intended > now || intended >= s.end || tcp.bufferedBytes() >= BACKLOG_LIMIT) {
                return;
            }
            int length = encode(seq, intended);
            commandBuffer.clear().limit(length);
            command(commandBuffer);
            published++;
        }
    }
}
