package dev.duplex.loadgen;

import java.nio.charset.StandardCharsets;

import static dev.duplex.loadgen.HubFanoutPatterns.DATA;
import static dev.duplex.loadgen.HubFanoutPatterns.OFFSET;
import static dev.duplex.loadgen.HubFanoutPatterns.PUBLICATION;
import static dev.duplex.loadgen.HubFanoutPatterns.SEQ;
import static dev.duplex.loadgen.HubFanoutPatterns.T;

/**
 * A subscriber of {@code duplex bench fanout --hub} ({@link HubFanoutBenchmark}): subscribes, then
 * checks every publication's offset (consecutive, else offset gaps) and seq (the 64-bit window of
 * the broadcast scenario: lost, duplicated, reordered), and records its end-to-end latency.
 */
final class HubFanoutSubscriber extends HubFanoutConnection {
    private final SequenceWindow sequences = new SequenceWindow();
    private long lastOffset = HubText.NONE;

    HubFanoutSubscriber(LoadRun run, LoopContext ctx, HubFanoutShared s, long startNanos) {
        super(run, ctx, s, startNanos);
    }

    @Override
    void onConnected() {
        if (s.socketIo) {
            command("42" + SocketIoFrames.SUBSCRIBE_ID + "[\"subscribe\"," + new String(s.channelJson, StandardCharsets.UTF_8) + "]");
            return;
        }
        command("{\"type\":\"subscribe\",\"id\":2,\"channel\":" + new String(s.channelJson, StandardCharsets.UTF_8) + "}");
    }

    @Override
    void onSetupFailed() {
        s.subscribersFailed.incrementAndGet();
    }

    @Override
    void onControl(byte[] b, int n) {
        if (HubText.type(b, n).equals("subscribed")) {
            if (phase == SETTING_UP) {
                lastOffset = HubText.longAfter(b, 0, n, OFFSET);
                phase = READY;
                s.subscribersReady.incrementAndGet();
            }
            return;
        }
        super.onControl(b, n);
    }

    @Override
    void onMessage(boolean text, byte[] head, int headLength, long length) {
        long now = System.nanoTime();
        byte[] b = body;
        int n = bodyLength;
        if (!text) {
            run.errors.record("bad_message", "A " + length + "-byte binary message; the hub speaks text with "
                    + HubFanoutBenchmark.SUBPROTOCOL);
            return;
        }
        if (s.socketIo) {
            onSocketIo(b, n, now, length);
            return;
        }
        if (!HubText.startsWith(b, n, PUBLICATION)) {
            onControl(b, n);
            return;
        }
        ctx.received++;
        long offset = HubText.longAfter(b, PUBLICATION.length, n, OFFSET);
        int data = HubText.indexOf(b, PUBLICATION.length, n, DATA);
        long seq = data < 0 ? HubText.NONE : HubText.longAfter(b, data, n, SEQ);
        long sentAt = data < 0 ? HubText.NONE : HubText.longAfter(b, data, n, T);
        if (offset == HubText.NONE || seq == HubText.NONE || sentAt == HubText.NONE || seq < 0) {
            run.errors.record("unreadable_publication", "No offset, data.seq or data.t in the first "
                    + n + " bytes: " + HubText.preview(b, n));
            return;
        }
        if (lastOffset == HubText.NONE) {
            lastOffset = offset - 1;
        }
        if (offset > lastOffset) {
            ctx.offsetGaps += offset - lastOffset - 1;
            lastOffset = offset;
        } else {
            ctx.offsetRepeats++;
        }
        ctx.arrived(sequences.see(seq), now, sentAt, length, s.start, s.end);
    }

    /** A Socket.IO packet: a {@code pub} event (a delivery, no offsets), the subscribe's ack, or control. */
    private void onSocketIo(byte[] b, int n, long now, long length) {
        if (!HubText.startsWith(b, n, SocketIoFrames.PUB)) {
            if (SocketIoFrames.ackId(b, n) == SocketIoFrames.SUBSCRIBE_ID) {
                if (phase == SETTING_UP) {
                    phase = READY;
                    s.subscribersReady.incrementAndGet();
                }
                return;
            }
            onSocketIoControl(b, n);
            return;
        }
        ctx.received++;
        long seq = HubText.longAfter(b, SocketIoFrames.PUB.length, n, SEQ);
        long sentAt = HubText.longAfter(b, SocketIoFrames.PUB.length, n, T);
        if (seq == HubText.NONE || sentAt == HubText.NONE || seq < 0) {
            run.errors.record("unreadable_publication", "No seq or t in the first " + n + " bytes: " + HubText.preview(b, n));
            return;
        }
        ctx.arrived(sequences.see(seq), now, sentAt, length, s.start, s.end);
    }
}
