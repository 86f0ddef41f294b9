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
    final AtomicBoolean scheduled = new AtomicBoolean();
    long published;

    HubFanoutPublisher(LoadRun run, LoopContext ctx, HubFanoutShared s, int index) {
        super(run, ctx, s, System.nanoTime());
        this.index = index;
        byte[] prefix = HubText.ascii("{\"type\":\"publish\",\"channel\":" + new String(s.channelJson, StandardCharsets.UTF_8)
                + ",\"id\":");
        this.command = new byte[prefix.length + s.size + 128];
        System.arraycopy(prefix, 0, command, 0, prefix.length);
        this.prefixLength = prefix.length;
        this.commandBuffer = ByteBuffer.wrap(command);
    }

    /** The publish command of publication {@code seq} (its data exactly {@code size} bytes while seq and t fit). */
    int encode(long seq, long intended) {
        byte[] c = command;
        int i = HubText.writeLong(c, prefixLength, PUBLISH_ID_BASE + seq);
        i = put(c, i, ",\"data\":");
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
        c[i++] = '}';
        return i;
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
        if (text && HubText.startsWith(b, n, ACK)) {
            long id = HubText.longAfter(b, ACK.length, n, ID);
            ctx.acks++;
            if (id >= PUBLISH_ID_BASE && s.start != 0) {
                ctx.ackLatency.recordValue(Math.min(Math.max(now - s.intended(id - PUBLISH_ID_BASE), 0),
                        LoopContext.HIGHEST_NANOS));
            }
            return;
        }
        if (!text) {
            run.errors.record("bad_message", "A " + length + "-byte binary message; the hub speaks text with "
                    + HubFanoutBenchmark.SUBPROTOCOL);
            return;
        }
        onControl(b, n);
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
