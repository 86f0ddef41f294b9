package dev.duplex.loadgen;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every connection of a {@code duplex bench fanout --hub} run shares: the channel, the
 * publication schedule (set before publishing starts), the heartbeat-derived ping interval and the
 * setup counters the benchmark waits on.
 */
final class HubFanoutShared {
    final byte[] channelJson;
    final int captureBytes;
    final double intervalNanos;
    final int publishers;
    final int size;
    /** The server is Socket.IO ({@link SocketIoFrames}), not a Duplex hub: rooms instead of channels, no offsets. */
    final boolean socketIo;
    volatile long start;
    volatile long end;
    /** Half the heartbeat interval the hub announced (the smallest seen): pings go out at least that often. */
    volatile long pingAfterNanos = TimeUnit.SECONDS.toNanos(10);
    final AtomicInteger subscribersReady = new AtomicInteger();
    final AtomicInteger subscribersFailed = new AtomicInteger();
    final AtomicInteger publishersReady = new AtomicInteger();
    final AtomicInteger publishersFailed = new AtomicInteger();

    HubFanoutShared(HubFanoutBenchmark.Options o) {
        this.channelJson = HubText.ascii(HubText.quote(o.channel()));
        this.captureBytes = 256 + 2 * channelJson.length;
        this.intervalNanos = 1e9 / o.rate();
        this.publishers = o.publisherCount();
        this.size = o.size();
        this.socketIo = SocketIoFrames.isSocketIo(o.url());
    }

    /** The intended send time of publication {@code seq}. */
    long intended(long seq) {
        return start + (long) (seq * intervalNanos);
    }

    /** The hub announced a heartbeat interval of {@code millis} (0 or less: none). */
    void heartbeat(long millis) {
        if (millis > 0) {
            long half = TimeUnit.MILLISECONDS.toNanos(millis) / 2;
            if (half < pingAfterNanos) {
                pingAfterNanos = half;
            }
        }
    }
}
