package dev.duplex.loadgen;

import java.io.PrintStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * {@code duplex bench fanout --hub}: fan-out through the hub protocol (PROTOCOL.md). Subscribers
 * connect to {@code /connect} offering {@value #SUBPROTOCOL}, send {@code connect}, then
 * {@code subscribe} to one channel and wait for {@code subscribed}; then publishers send
 * {@code {"type":"publish","id":…,"channel":…,"data":{"seq":S,"t":T,"pad":"…"}}} at a fixed total
 * rate, where {@code S} is the publication's number (0, 1, 2, … over all publishers) and {@code T}
 * the publisher's {@link System#nanoTime()} at the publication's intended send time (same process,
 * same clock as the subscribers'). The publishers count {@code ack}s (and time them).
 *
 * <p>Each subscriber reads {@code offset}, {@code seq} and {@code t} by scanning the first bytes of
 * each text message for those keys (no JSON parse per delivery), keeps the 64-bit seq window of the
 * broadcast scenario (lost, duplicated, reordered) and checks that the hub's offsets are consecutive:
 * every skipped offset is an offset gap. Latency runs from the intended send time to delivery.
 *
 * <p>The hub limits each connection to 100 commands/s (burst 200) by default; a publisher that went
 * beyond would get error 110. So the rate is spread over {@code ceil(rate / 80)} publisher
 * connections (each at most 80 publications/s), unless {@code --publishers} says otherwise.
 * Subscribers connect at most {@code --connect-rate} per second (default 900: the hub admits 1,000
 * new connections/s, burst 2,000, and turns the rest away with 3007).
 *
 * <p>A URL whose path starts with {@code /socket.io/} names a Socket.IO server instead
 * ({@code duplex-bench-peers/node/socketio-peer.mjs}, {@link SocketIoFrames}): the same run with
 * Socket.IO events in place of hub commands ({@code subscribe} with the channel as the room,
 * {@code publish} with {@code {room, data}}, both acknowledged; deliveries are {@code pub} events
 * carrying the same {@code data}), and no offsets to check.
 */
public final class HubFanoutBenchmark {
    public static final String SUBPROTOCOL = "duplex.v1.json";
    public static final String DEFAULT_CHANNEL = "fanout";
    /** Publications per second per publisher connection when {@code --publishers} is not given. */
    public static final double PER_PUBLISHER_RATE = 80;
    /** Subscriber connections per second by default: under the hub's default admission rate of 1,000/s. */
    public static final double DEFAULT_CONNECT_RATE = 900;
    public static final int MIN_SIZE = 64;

    private static final long DRAIN_NANOS = 5_000_000_000L;
    private static final int MAX_PENDING_CONNECTS = 512;

    /**
     * @param publishers publisher connections; 0 = {@code ceil(rate / 80)}
     * @param size bytes of each publication's {@code data} object (seq, t and padding)
     */
    public record Options(URI url, String channel, int subscribers, double rate, int size, double durationSeconds,
                          int threads, int publishers, double connectRate, List<URI> subscribeUrls) {
        /** Subscribers and publishers on {@code url}. */
        public Options(URI url, String channel, int subscribers, double rate, int size, double durationSeconds,
                       int threads, int publishers, double connectRate) {
            this(url, channel, subscribers, rate, size, durationSeconds, threads, publishers, connectRate, List.of());
        }

        /**
         * @param subscribeUrls where the subscribers connect, round robin (subscriber i to
         *     {@code subscribeUrls[i mod n]}, e.g. the nodes of a cluster); empty: {@code url}, where the publishers
         *     connect
         */
        public Options {
            subscribeUrls = List.copyOf(subscribeUrls == null ? List.of() : subscribeUrls);
            for (URI u : subscribeUrls) {
                if (SocketIoFrames.isSocketIo(u) != SocketIoFrames.isSocketIo(url)) {
                    throw new IllegalArgumentException("The subscribers' URLs and the publishers' must name the same kind of "
                            + "server (Socket.IO paths start with /socket.io/): " + u + " and " + url);
                }
            }
            if (channel == null || channel.isEmpty() || channel.length() > 255) {
                throw new IllegalArgumentException("--channel must be 1 to 255 characters, was '" + channel + "'");
            }
            for (int i = 0; i < channel.length(); i++) {
                if (channel.charAt(i) < 0x20) {
                    throw new IllegalArgumentException("--channel must not contain control characters");
                }
            }
            if (subscribers < 1) {
                throw new IllegalArgumentException("--subscribers must be at least 1, was " + subscribers);
            }
            if (!(rate > 0) || rate > 1_000_000) {
                throw new IllegalArgumentException("--rate must be more than 0 and at most 1,000,000 publications/s, was " + rate);
            }
            if (size < MIN_SIZE || size > 16 << 20) {
                throw new IllegalArgumentException("--size (bytes of each publication's data) must be between " + MIN_SIZE
                        + " and 16777216 with --hub, was " + size);
            }
            if (!(durationSeconds > 0) || durationSeconds > 86_400) {
                throw new IllegalArgumentException("--duration must be more than 0 and at most 86400 seconds, was " + durationSeconds);
            }
            if (threads < 1 || threads > 64) {
                throw new IllegalArgumentException("--threads must be 1 to 64, was " + threads);
            }
            if (publishers < 0 || publishers > 10_000) {
                throw new IllegalArgumentException("--publishers must be 0 (one per 80 publications/s) to 10000, was " + publishers);
            }
            if (!(connectRate > 0)) {
                throw new IllegalArgumentException("--connect-rate must be more than 0, was " + connectRate);
            }
        }

        /** The publisher connections this run uses. */
        public int publisherCount() {
            return publishers > 0 ? publishers : publishersFor(rate);
        }
    }

    private HubFanoutBenchmark() {
    }

    /** Publisher connections needed to publish {@code rate} per second at most 80/s each. */
    public static int publishersFor(double rate) {
        return (int) Math.max(1, Math.ceil(rate / PER_PUBLISHER_RATE));
    }

    /** A Socket.IO server's URL: {@code url} with {@code /socket.io/?EIO=4&transport=websocket} added when it has no path. */
    public static URI socketIoUrl(URI url) {
        return SocketIoFrames.url(url);
    }

    public static BenchReport run(Options o, PrintStream err) {
        Target target = Target.of(o.url());
        int publishers = o.publisherCount();
        FileDescriptors.check((long) o.subscribers() + publishers);
        LoadRun run = new LoadRun(target, o.threads(), o.size() + 512, Math.max(1 << 20, o.size() * 2L + 4096));
        run.subprotocols = SocketIoFrames.isSocketIo(o.url()) ? List.of() : List.of(SUBPROTOCOL);
        try {
            return execute(o, run, err);
        } finally {
            run.closeAll(Duration.ofSeconds(5));
        }
    }

    private static BenchReport execute(Options o, LoadRun run, PrintStream err) {
        HubFanoutShared s = new HubFanoutShared(o);
        List<Target> subscribeTargets = new ArrayList<>();
        for (URI u : o.subscribeUrls()) {
            subscribeTargets.add(Target.of(u));
        }
        if (subscribeTargets.isEmpty()) {
            subscribeTargets.add(run.target);
        }
        List<HubFanoutPublisher> publishers = new ArrayList<>();
        run.onEachLoop(ctx -> ctx.ackLatency = new Histogram(LoopContext.HIGHEST_NANOS, 3));
        for (LoopContext ctx : run.loops) {
            if (!s.socketIo) { // a Socket.IO server pings, its clients answer (HubFanoutConnection)
                keepAlive(run, ctx, s);
            }
        }
        String mode = s.socketIo ? "--socketio" : "--hub";
        long t0 = System.nanoTime();
        long[] last = {t0, 0};
        Progress progress = new Progress(err, t0, now -> {
            long delivered = run.sum(c -> c.unique);
            double rate = (delivered - last[1]) * 1e9 / Math.max(1, now - last[0]);
            last[0] = now;
            last[1] = delivered;
            long published = 0;
            for (HubFanoutPublisher p : publishers) {
                published += p.published;
            }
            return String.format(Locale.ROOT, "fanout " + mode + ": %,d connections open, %,d of %,d subscribed, %,d of %d publishers ready, "
                            + "%,d published, %,d acked, %,.0f deliveries/s, %,d errors",
                    run.sum(c -> c.open), s.subscribersReady.get(), o.subscribers(), s.publishersReady.get(), s.publishers,
                    published, run.sum(c -> c.acks), rate, run.errors.total());
        });

        // Subscribers, at most --connect-rate per second (the hub's admission limit).
        long connectDeadline = t0 + 30_000_000_000L + (long) (o.subscribers() * 1e9 / o.connectRate()) + o.subscribers() * 1_000_000L;
        double connectInterval = 1e9 / o.connectRate();
        for (int i = 0; i < o.subscribers() && System.nanoTime() < connectDeadline; i++) {
            long due = t0 + (long) (i * connectInterval);
            while ((System.nanoTime() < due || run.attempted.get() - run.settled.get() >= MAX_PENDING_CONNECTS)
                    && System.nanoTime() < connectDeadline) {
                progress.maybePrint();
                LockSupport.parkNanos(Math.max(100_000, Math.min(1_000_000, due - System.nanoTime())));
            }
            HubFanoutSubscriber subscriber = new HubFanoutSubscriber(run, run.loopFor(i), s, System.nanoTime());
            subscriber.target = subscribeTargets.get(i % subscribeTargets.size());
            subscriber.connect(null);
        }
        run.awaitSettled(run.attempted.get(), connectDeadline, progress);
        awaitSetup(run, s.subscribersReady, s.subscribersFailed, run.succeeded.get(), connectDeadline + 15_000_000_000L, progress);
        int subscribed = s.subscribersReady.get();

        int opened = run.succeeded.get();
        for (int i = 0; i < s.publishers; i++) {
            HubFanoutPublisher p = new HubFanoutPublisher(run, run.loopFor(i), s, i);
            publishers.add(p);
            p.connect(null);
        }
        long publisherDeadline = System.nanoTime() + 15_000_000_000L;
        run.awaitSettled(run.attempted.get(), publisherDeadline, progress);
        awaitSetup(run, s.publishersReady, s.publishersFailed, run.succeeded.get() - opened, publisherDeadline, progress);
        int publishersReady = s.publishersReady.get();

        BenchReport report = new BenchReport("fanout", "duplex bench fanout " + mode + " " + o.url() + " (channel " + o.channel() + ")");
        if (subscribed == 0 || publishersReady < s.publishers) {
            report.row("result", (subscribed == 0 ? "No subscriber subscribed"
                            : "Only " + publishersReady + " of " + s.publishers + " publishers connected") + "; nothing was measured.")
                    .row("errors", EchoBenchmark.errorsRow(run));
            EchoBenchmark.notes(report, run);
            return report.put("mode", s.socketIo ? "socketio" : "hub").put("url", o.url().toString()).put("channel", o.channel())
                    .put("subscribers", o.subscribers()).put("subscribers_opened", subscribed).put("publishers", s.publishers)
                    .put("messages", 0).put("deliveries", 0).put("lost", 0).put("duplicated", 0).put("offset_gaps", 0)
                    .put("errors", Math.max(1, run.errors.total())).put("errors_by_kind", run.errors.byKind()).failed();
        }

        // Let the hub finish registering the last subscriptions before the first publication.
        LockSupport.parkNanos(200_000_000);
        long duration = (long) (o.durationSeconds() * 1e9);
        long start = System.nanoTime() + 1_000_000;
        s.end = start + duration;
        s.start = start;
        // Marks for scripts that read the servers' CPU over the publishing only (bench/cluster-fanout).
        err.println("fanout " + mode + ": publishing starts");
        Thread pacer = new Thread(() -> pace(run, s, publishers), "duplex-bench-pacer");
        pacer.setDaemon(true);
        pacer.start();
        progress.sleepUntil(s.end);
        try {
            pacer.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }

        long published = run.collect(ctx -> {
            long sum = 0;
            for (HubFanoutPublisher p : publishers) {
                if (p.ctx == ctx) {
                    sum += p.published;
                }
            }
            return sum;
        }).stream().mapToLong(Long::longValue).sum();
        long drainDeadline = System.nanoTime() + DRAIN_NANOS;
        while (System.nanoTime() < drainDeadline) {
            long answered = run.sum(c -> c.acks) + run.sum(c -> c.publishErrors);
            if (answered >= published && run.sum(c -> c.unique) >= run.sum(c -> c.acks) * subscribed) {
                break;
            }
            progress.maybePrint();
            LockSupport.parkNanos(10_000_000);
        }
        err.println("fanout " + mode + ": publishing and delivery done");
        List<long[]> counters = run.collect(ctx -> new long[] {ctx.unique, ctx.duplicated, ctx.late, ctx.windowMessages,
                ctx.windowBytes, ctx.open, ctx.received, ctx.offsetGaps, ctx.offsetRepeats, ctx.joinLeavePushes, ctx.acks,
                ctx.publishErrors});
        List<Histogram> histograms = run.collect(ctx -> ctx.latency.copy());
        List<Histogram> ackHistograms = run.collect(ctx -> ctx.ackLatency.copy());
        long[] t = new long[12];
        for (long[] c : counters) {
            for (int i = 0; i < t.length; i++) {
                t[i] += c[i];
            }
        }
        long unique = t[0], duplicated = t[1], late = t[2], window = t[3], bytes = t[4], open = t[5], received = t[6];
        long gaps = t[7], repeats = t[8], joinLeavePushes = t[9], acks = t[10], publishErrors = t[11];
        long expected = acks * subscribed;
        long lost = Math.max(0, expected - unique);
        long unanswered = Math.max(0, published - acks - publishErrors);
        run.errors.add("lost", lost);
        run.errors.add("duplicated", duplicated);
        run.errors.add("reordered_beyond_64", late);
        run.errors.add("offset_gaps", gaps);
        run.errors.add("offset_repeats", repeats);
        run.errors.add("unacknowledged_publishes", unanswered);
        LatencySummary latency = LatencySummary.of(histograms);
        LatencySummary ackLatency = LatencySummary.of(ackHistograms);
        double seconds = duration / 1e9;
        double perSecond = window / seconds;
        long errors = run.errors.total();

        report.row("subscribers", BenchReport.count(subscribed) + " of " + BenchReport.count(o.subscribers())
                        + " subscribed to " + o.channel() + ", plus " + s.publishers + " publisher" + (s.publishers == 1 ? "" : "s")
                        + String.format(Locale.ROOT, " (%,.1f publications/s each)", o.rate() / s.publishers) + "; "
                        + o.threads() + " generator thread" + (o.threads() == 1 ? "" : "s"))
                .row("publishing", String.format(Locale.ROOT, "%,.0f publications/s with %s of data for %.1f s: %,d published, "
                        + "%,d acked, %,d refused", o.rate(), BenchReport.bytes(o.size()), seconds, published, acks, publishErrors))
                .row("deliveries", String.format(Locale.ROOT, "%,.0f /s   %,.2f MB/s   (%,d of %,d expected)",
                        perSecond, bytes / 1e6 / seconds, unique, expected))
                .row("end to end (µs)", latency.row() + "   (from intended send time)")
                .row("publish to ack (µs)", ackLatency.row())
                .row("lost", BenchReport.count(lost))
                .row("duplicated", BenchReport.count(duplicated))
                .row("offset gaps", BenchReport.count(gaps) + (repeats > 0 ? " (and " + BenchReport.count(repeats)
                        + " offsets repeated or out of order)" : ""))
                .row("errors", EchoBenchmark.errorsRow(run));
        EchoBenchmark.notes(report, run);
        if (joinLeavePushes > 0) {
            report.note(String.format(Locale.ROOT, "%,d join/leave pushes: the channel's namespace has join_leave on, so "
                    + "every subscribe is pushed to every subscriber (N² messages for N subscribers); for large fan-outs use a "
                    + "namespace with join_leave: false (duplex serve: DUPLEX_DEFAULT_NAMESPACE_JOIN_LEAVE=false)", joinLeavePushes));
        }
        report.put("mode", s.socketIo ? "socketio" : "hub")
                .put("url", o.url().toString())
                .put("subscribe_urls", o.subscribeUrls().size())
                .put("channel", o.channel())
                .put("subscribers", o.subscribers())
                .put("subscribers_opened", subscribed)
                .put("subscribers_open_at_end", Math.max(0, open - s.publishers))
                .put("publishers", s.publishers)
                .put("rate", o.rate())
                .put("size", o.size())
                .put("threads", o.threads())
                .put("duration_s", o.durationSeconds())
                .put("published", published)
                .put("acks", acks)
                .put("publish_errors", publishErrors)
                .put("messages", unique)
                .put("deliveries", unique)
                .put("received", received)
                .put("deliveries_per_s", BenchReport.round(perSecond, 1))
                .put("latency_us", latency.json())
                .put("ack_latency_us", ackLatency.json())
                .put("lost", lost)
                .put("duplicated", duplicated)
                .put("reordered", late)
                .put("offset_gaps", gaps)
                .put("offset_repeats", repeats)
                .put("join_leave_pushes", joinLeavePushes)
                .put("errors", errors)
                .put("errors_by_kind", run.errors.byKind());
        if (errors > 0 || subscribed < o.subscribers()) {
            report.failed();
        }
        return report;
    }

    /** Waits until {@code ready + failed} reaches {@code count} or the deadline passes. */
    private static void awaitSetup(LoadRun run, AtomicInteger ready, AtomicInteger failed, int count, long deadline,
                                   Progress progress) {
        while (ready.get() + failed.get() < count && System.nanoTime() < deadline && !run.stopping) {
            progress.maybePrint();
            LockSupport.parkNanos(10_000_000);
        }
    }

    /**
     * Once a second on each loop: a {@code ping} from every hub connection that sent no command for
     * half the heartbeat interval (the hub disconnects a connection silent for twice the interval).
     * Connections set up at different times, so the pings spread out.
     */
    private static void keepAlive(LoadRun run, LoopContext ctx, HubFanoutShared s) {
        Runnable[] sweep = new Runnable[1];
        sweep[0] = () -> {
            if (run.stopping) {
                return;
            }
            long now = System.nanoTime();
            long after = s.pingAfterNanos;
            for (LoadConnection c : ctx.connections) {
                if (c instanceof HubFanoutConnection h && h.phase >= HubFanoutConnection.SETTING_UP
                        && h.phase != HubFanoutConnection.FAILED
                        && now - h.lastCommandNanos > after && h.isOpen()) {
                    h.command(ByteBuffer.wrap(HubFanoutPatterns.PING));
                }
            }
            try {
                ctx.loop.schedule(sweep[0], 1, TimeUnit.SECONDS);
            } catch (RejectedExecutionException stopped) {
                // the run is over
            }
        };
        ctx.loop.schedule(sweep[0], 1, TimeUnit.SECONDS);
    }

    /** Hands each publication, when due, to the publisher that owns it (publication k: publisher k mod P). */
    private static void pace(LoadRun run, HubFanoutShared s, List<HubFanoutPublisher> publishers) {
        int count = publishers.size();
        long triggered = 0;
        while (!run.stopping) {
            long now = System.nanoTime();
            if (now >= s.end) {
                // A pacer that wakes late (a busy machine) still sends every publication intended before
                // the end: late, so its latency counts from when it was due, but never silently left out.
                for (HubFanoutPublisher p : publishers) {
                    if (p.scheduled.compareAndSet(false, true)) {
                        try {
                            p.ctx.loop.execute(p);
                        } catch (RejectedExecutionException e) {
                            return;
                        }
                    }
                }
                return;
            }
            long due = now < s.start ? 0 : (long) ((now - s.start) / s.intervalNanos) + 1;
            for (long k = Math.max(triggered, due - count); k < due; k++) {
                HubFanoutPublisher p = publishers.get((int) (k % count));
                if (p.scheduled.compareAndSet(false, true)) {
                    try {
                        p.ctx.loop.execute(p);
                    } catch (RejectedExecutionException e) {
                        return;
                    }
                }
            }
            triggered = Math.max(triggered, due);
            long wake = Math.min(s.end, s.start + (long) (triggered * s.intervalNanos));
            long sleep = wake - System.nanoTime();
            if (sleep > 0) {
                LockSupport.parkNanos(sleep);
            }
        }
    }
}
