package dev.duplex.loadgen;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * {@code duplex bench echo}: connections send messages to an echo endpoint and time the round
 * trip.
 *
 * <ul>
 *   <li><b>Closed loop</b> (default): each connection keeps {@code inFlight} messages
 *       outstanding, sending the next as soon as an echo returns; it measures throughput.
 *   <li><b>Open loop</b> ({@code rate > 0}): messages leave at a constant total rate, spread
 *       round robin over the connections, whether or not earlier ones came back. Each message
 *       carries its <i>intended</i> send time, and latency is measured from it, so time spent
 *       waiting behind a stalled server (or a late generator) counts: the correction for
 *       coordinated omission. A pacer thread wakes each loop when its next message is due;
 *       its wake-up delay (tens of µs) is therefore included in the figures, never hidden.
 * </ul>
 *
 * <p>The hot path allocates nothing: each loop has one preallocated payload whose first bytes are
 * overwritten with the timestamp before it is framed (framing copies it), echoes are read as
 * streamed parts without assembly, and latencies go into a preallocated HdrHistogram.
 */
public final class EchoBenchmark {
    /** Open-loop sends skip a connection whose unsent bytes exceed this (they wait, and their lateness counts). */
    private static final long BACKLOG_LIMIT = 4L << 20;
    private static final long DRAIN_NANOS = 5_000_000_000L;
    private static final int MAX_PENDING_CONNECTS = 512;

    /**
     * @param rate total messages per second for the open loop; 0 for the closed loop
     * @param threads event loops of the generator
     * @param rawTcp talk to a bare TCP echo (no handshake; the echoed client frames are parsed as
     *     they come back, masked): the physical floor the WebSocket servers are compared with
     */
    public record Options(URI url, int connections, int inFlight, int size, boolean text, double durationSeconds,
            double warmupSeconds, double rate, int threads, boolean rawTcp) {

        /** A WebSocket echo (no raw TCP). */
        public Options(URI url, int connections, int inFlight, int size, boolean text, double durationSeconds,
                double warmupSeconds, double rate, int threads) {
            this(url, connections, inFlight, size, text, durationSeconds, warmupSeconds, rate, threads, false);
        }

        public Options {
            if (connections < 1) {
                throw new IllegalArgumentException("--connections must be at least 1, was " + connections);
            }
            if (inFlight < 1) {
                throw new IllegalArgumentException("--in-flight must be at least 1, was " + inFlight);
            }
            int min = Payloads.minimumSize(text);
            if (size < min || size > 16 << 20) {
                throw new IllegalArgumentException("--size must be between " + min + " (room for the timestamp"
                        + (text ? " as 16 hex digits" : "") + ") and 16777216 bytes, was " + size);
            }
            if (!(durationSeconds > 0) || durationSeconds > 86_400) {
                throw new IllegalArgumentException("--duration must be more than 0 and at most 86400 seconds, was " + durationSeconds);
            }
            if (!(warmupSeconds >= 0) || warmupSeconds > 3_600) {
                throw new IllegalArgumentException("--warmup must be 0 to 3600 seconds, was " + warmupSeconds);
            }
            if (!(rate >= 0) || rate > 10_000_000) {
                throw new IllegalArgumentException("--rate must be positive and at most 10,000,000 messages/s, was " + rate);
            }
            if (threads < 1 || threads > 64) {
                throw new IllegalArgumentException("--threads must be 1 to 64, was " + threads);
            }
        }

        boolean openLoop() {
            return rate > 0;
        }
    }

    private EchoBenchmark() {
    }

    /** Runs the scenario, printing progress to {@code progress}; the caller prints the report. */
    public static BenchReport run(Options o, PrintStream progress) {
        Target target = Target.of(o.url());
        FileDescriptors.check(o.connections());
        LoadRun run = new LoadRun(target, o.threads(), o.size() + 14, Math.max(1 << 20, o.size()));
        run.rawTcp = o.rawTcp();
        try {
            return execute(o, run, progress);
        } finally {
            run.closeAll(Duration.ofSeconds(5));
        }
    }

    /** What the loops share; written before sending starts, read-only afterwards. */
    static final class State {
        final Options options;
        long start;
        long measureStart;
        long measureEnd;

        State(Options options) {
            this.options = options;
        }
    }

    static final class EchoConnection extends LoadConnection {
        private final State s;

        EchoConnection(LoadRun run, LoopContext ctx, State state, long startNanos) {
            super(run, ctx, startNanos);
            this.s = state;
        }

        void sendOne(long stamp) {
            boolean text = s.options.text();
            ByteBuffer payload = ctx.payload;
            Payloads.writeTimestamp(payload, stamp, text);
            send(payload, text);
            ctx.sent++;
            ctx.outstanding++;
        }

        @Override
        void onMessage(boolean text, byte[] head, int headLength, long length) {
            long now = System.nanoTime();
            ctx.received++;
            ctx.outstanding--;
            long stamp = Payloads.readTimestamp(head, headLength, s.options.text());
            if (length != s.options.size() || text != s.options.text() || stamp < s.start || stamp > now) {
                run.errors.record("bad_echo", "Echo of " + length + " bytes (" + (text ? "text" : "binary")
                        + ") does not match what was sent");
            } else if (stamp >= s.measureStart && stamp < s.measureEnd) {
                ctx.record(now - stamp);
            }
            if (now >= s.measureStart && now < s.measureEnd) {
                ctx.windowMessages++;
                ctx.windowBytes += length;
            }
            if (!s.options.openLoop() && now < s.measureEnd && isOpen()) {
                sendOne(now);
            }
        }
    }

    /** Open loop, one per event loop: sends every message due by now, stamped with its intended time. */
    static final class LoopPacer implements Runnable {
        final LoopContext ctx;
        final State s;
        final double intervalNanos;
        final AtomicBoolean scheduled = new AtomicBoolean();
        private long index;
        private int next;

        LoopPacer(LoopContext ctx, State s, double ratePerSecond) {
            this.ctx = ctx;
            this.s = s;
            this.intervalNanos = ratePerSecond > 0 ? 1e9 / ratePerSecond : Double.POSITIVE_INFINITY;
        }

        @Override
        public void run() {
            scheduled.set(false);
            long now = System.nanoTime();
            List<LoadConnection> connections = ctx.connections;
            int n = connections.size();
            while (true) {
                long intended = s.start + (long) (index * intervalNanos);
                if (intended > now || intended >= s.measureEnd) {
                    return;
                }
                EchoConnection target = null;
                for (int tries = 0; tries < n && target == null; tries++) {
                    LoadConnection c = connections.get(next);
                    next = next + 1 == n ? 0 : next + 1;
                    if (c.isOpen() && c.tcp.bufferedBytes() < BACKLOG_LIMIT) {
                        target = (EchoConnection) c;
                    }
                }
                if (target == null) {
                    return; // all backed up or closed: these messages go out later, and their delay counts
                }
                target.sendOne(intended);
                index++;
            }
        }
    }

    private static BenchReport execute(Options o, LoadRun run, PrintStream err) {
        State state = new State(o);
        run.onEachLoop(ctx -> ctx.payload = Payloads.allocate(o.size(), o.text()));
        long t0 = System.nanoTime();
        long[] last = {t0, 0};
        Progress progress = new Progress(err, t0, now -> {
            long received = run.sum(c -> c.received);
            double rate = (received - last[1]) * 1e9 / Math.max(1, now - last[0]);
            last[0] = now;
            last[1] = received;
            String phase = state.start == 0 ? "connecting" : now < state.measureStart ? "warm-up" : "measuring";
            return String.format(Locale.ROOT, "echo %s: %,d/%,d connections open, %,.0f msgs/s, %,d errors",
                    phase, run.sum(c -> c.open), o.connections(), rate, run.errors.total());
        });

        // Connect, at most MAX_PENDING_CONNECTS handshakes at a time.
        long connectDeadline = t0 + 30_000_000_000L + o.connections() * 1_000_000L;
        for (int i = 0; i < o.connections() && System.nanoTime() < connectDeadline; i++) {
            while (run.attempted.get() - run.settled.get() >= MAX_PENDING_CONNECTS && System.nanoTime() < connectDeadline) {
                progress.maybePrint();
                LockSupport.parkNanos(1_000_000);
            }
            new EchoConnection(run, run.loopFor(i), state, System.nanoTime()).connect(null);
        }
        run.awaitSettled(run.attempted.get(), connectDeadline, progress);
        long opened = run.succeeded.get();

        BenchReport report = new BenchReport("echo", "duplex bench echo " + o.url());
        if (opened == 0) {
            return failure(report, o, run, "No connection opened; nothing was measured.");
        }

        long warmup = (long) (o.warmupSeconds() * 1e9);
        long duration = (long) (o.durationSeconds() * 1e9);
        // The closed loop stamps its first messages right away; the open loop's schedule starts 1 ms ahead.
        state.start = System.nanoTime() + (o.openLoop() ? 1_000_000 : 0);
        state.measureStart = state.start + warmup;
        state.measureEnd = state.measureStart + duration;

        Thread pacer = null;
        if (o.openLoop()) {
            List<Long> open = run.collect(ctx -> ctx.open);
            long total = open.stream().mapToLong(Long::longValue).sum();
            List<LoopPacer> pacers = new ArrayList<>();
            for (LoopContext ctx : run.loops) {
                pacers.add(new LoopPacer(ctx, state, o.rate() * open.get(ctx.index) / Math.max(1, total)));
            }
            pacer = new Thread(() -> pace(run, state, pacers), "duplex-bench-pacer");
            pacer.setDaemon(true);
            pacer.start();
        } else {
            run.onEachLoop(ctx -> {
                long now = System.nanoTime();
                for (LoadConnection c : ctx.connections) {
                    for (int k = 0; k < o.inFlight() && c.isOpen(); k++) {
                        ((EchoConnection) c).sendOne(now);
                    }
                }
            });
        }

        long[] threadIds = run.loops.stream().mapToLong(ctx -> ctx.threadId).toArray();
        progress.sleepUntil(state.measureStart);
        long allocatedBefore = allocatedBytes(threadIds);
        long receivedBefore = run.sum(c -> c.received);
        progress.sleepUntil(state.measureEnd);
        long allocatedAfter = allocatedBytes(threadIds);
        long receivedAfter = run.sum(c -> c.received);

        if (pacer != null) {
            try {
                pacer.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        long drainDeadline = System.nanoTime() + DRAIN_NANOS;
        while (run.sum(c -> c.outstanding) > 0 && System.nanoTime() < drainDeadline) {
            progress.maybePrint();
            LockSupport.parkNanos(10_000_000);
        }

        List<long[]> counters = run.collect(ctx -> new long[] {ctx.sent, ctx.received, ctx.outstanding,
                ctx.windowMessages, ctx.windowBytes, ctx.open});
        List<Histogram> histograms = run.collect(ctx -> ctx.latency.copy());
        long sent = 0, received = 0, lost = 0, messages = 0, bytes = 0, stillOpen = 0;
        for (long[] c : counters) {
            sent += c[0];
            received += c[1];
            lost += c[2];
            messages += c[3];
            bytes += c[4];
            stillOpen += c[5];
        }
        if (lost > 0) {
            run.errors.add("lost", lost);
        }
        LatencySummary latency = LatencySummary.of(histograms);
        double seconds = duration / 1e9;
        double perSecond = messages / seconds;
        double megabytes = bytes / 1e6 / seconds;
        double allocPerMessage = allocatedBefore < 0 || receivedAfter <= receivedBefore ? -1
                : BenchReport.round((double) (allocatedAfter - allocatedBefore) / (receivedAfter - receivedBefore), 1);
        long errors = run.errors.total();

        report.row("connections", BenchReport.count(opened) + " of " + BenchReport.count(o.connections()) + " opened"
                        + (stillOpen < opened ? ", " + BenchReport.count(stillOpen) + " still open at the end" : ""))
                .row("load", o.openLoop()
                        ? String.format(Locale.ROOT, "open loop at %,.0f msgs/s (latency from intended send time)", o.rate())
                        : o.inFlight() + " in flight per connection (closed loop)")
                .row("messages", BenchReport.bytes(o.size()) + " " + (o.text() ? "text" : "binary")
                        + ", " + o.threads() + " generator thread" + (o.threads() == 1 ? "" : "s"))
                .row("duration", String.format(Locale.ROOT, "%.1f s measured after %.1f s warm-up", seconds, o.warmupSeconds()))
                .row("throughput", String.format(Locale.ROOT, "%,.0f msgs/s   %,.2f MB/s (payload, each way)", perSecond, megabytes))
                .row("round trip (µs)", latency.row())
                .row("echoed", BenchReport.count(messages) + " in the window; " + BenchReport.count(sent) + " sent, "
                        + BenchReport.count(received) + " echoed in all")
                .row("lost", BenchReport.count(lost))
                .row("errors", errorsRow(run))
                .row("generator alloc", allocPerMessage < 0 ? "not measured"
                        : BenchReport.decimal(allocPerMessage) + " B per message on the loop threads");
        notes(report, run);
        report.put("url", o.url().toString())
                .put("mode", o.openLoop() ? "open" : "closed")
                .put("connections", o.connections())
                .put("connections_opened", opened)
                .put("in_flight", o.openLoop() ? null : o.inFlight())
                .put("rate", o.openLoop() ? o.rate() : null)
                .put("size", o.size())
                .put("type", o.text() ? "text" : "binary")
                .put("threads", o.threads())
                .put("duration_s", o.durationSeconds())
                .put("warmup_s", o.warmupSeconds())
                .put("messages", messages)
                .put("messages_per_s", BenchReport.round(perSecond, 1))
                .put("mb_per_s", BenchReport.round(megabytes, 3))
                .put("latency_us", latency.json())
                .put("sent", sent)
                .put("received", received)
                .put("lost", lost)
                .put("errors", errors)
                .put("errors_by_kind", run.errors.byKind())
                .put("alloc_bytes_per_message", allocPerMessage < 0 ? null : allocPerMessage);
        if (errors > 0 || opened < o.connections()) {
            report.failed();
        }
        return report;
    }

    private static void pace(LoadRun run, State s, List<LoopPacer> pacers) {
        long[] triggered = new long[pacers.size()];
        while (!run.stopping) {
            long now = System.nanoTime();
            if (now >= s.measureEnd) {
                return;
            }
            long wake = s.measureEnd;
            for (int i = 0; i < pacers.size(); i++) {
                LoopPacer p = pacers.get(i);
                if (Double.isInfinite(p.intervalNanos)) {
                    continue;
                }
                long due = now < s.start ? 0 : (long) ((now - s.start) / p.intervalNanos) + 1;
                if (due > triggered[i]) {
                    triggered[i] = due;
                    if (p.scheduled.compareAndSet(false, true)) {
                        try {
                            p.ctx.loop.execute(p);
                        } catch (RejectedExecutionException e) {
                            return;
                        }
                    }
                }
                wake = Math.min(wake, s.start + (long) (triggered[i] * p.intervalNanos));
            }
            long sleep = wake - System.nanoTime();
            if (sleep > 0) {
                LockSupport.parkNanos(sleep);
            }
        }
    }

    /** Bytes allocated so far by the given threads, or -1 where the JVM cannot tell. */
    static long allocatedBytes(long[] threadIds) {
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean mx)
                || !mx.isThreadAllocatedMemorySupported() || !mx.isThreadAllocatedMemoryEnabled()) {
            return -1;
        }
        long total = 0;
        for (long bytes : mx.getThreadAllocatedBytes(threadIds)) {
            if (bytes < 0) {
                return -1;
            }
            total += bytes;
        }
        return total;
    }

    static String errorsRow(LoadRun run) {
        Map<String, Long> kinds = run.errors.byKind();
        if (kinds.isEmpty()) {
            return "0";
        }
        StringBuilder b = new StringBuilder(BenchReport.count(run.errors.total())).append(" (");
        kinds.forEach((kind, n) -> b.append(kind).append(' ').append(BenchReport.count(n)).append(", "));
        b.setLength(b.length() - 2);
        return b.append(')').toString();
    }

    static void notes(BenchReport report, LoadRun run) {
        for (String kind : run.errors.byKind().keySet()) {
            String example = run.errors.example(kind);
            if (example != null) {
                report.note(kind + ": " + example);
            }
            if (kind.equals("handshake_http_429")) {
                report.note("429: the server limits connections per client address; raise it (duplex serve "
                        + "--max-connections-per-address) or spread over --source-addresses");
            } else if (kind.equals("handshake_http_503")) {
                report.note("503: the server is at its connection or pending-handshake limit (duplex serve "
                        + "--max-connections, --max-pending-handshakes); or lower --rate");
            }
        }
    }

    static BenchReport failure(BenchReport report, Options o, LoadRun run, String why) {
        report.row("result", why).row("errors", errorsRow(run));
        notes(report, run);
        report.put("url", o.url().toString()).put("connections", o.connections()).put("connections_opened", 0)
                .put("messages", 0).put("lost", 0).put("errors", Math.max(1, run.errors.total()))
                .put("errors_by_kind", run.errors.byKind());
        return report.failed();
    }
}
