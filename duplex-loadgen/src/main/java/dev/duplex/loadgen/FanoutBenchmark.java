package dev.duplex.loadgen;

import java.io.PrintStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * {@code duplex bench fanout}: subscribers connect to a broadcast endpoint (every message any
 * client sends is delivered to every client, e.g. {@code duplex serve}'s {@code /broadcast}); one
 * more connection publishes at a fixed rate messages carrying its sequence number (bytes 0–7) and
 * intended send time (bytes 8–15). Each subscriber tracks sequence numbers with an expected-next
 * counter and a 64-message bitmap behind it, allocation-free, so it tells lost, duplicated and
 * reordered deliveries apart; latency runs from the intended send time to delivery.
 */
public final class FanoutBenchmark {
    private static final int HEADER = 16;
    private static final long BACKLOG_LIMIT = 4L << 20;
    private static final long DRAIN_NANOS = 5_000_000_000L;
    private static final int MAX_PENDING_CONNECTS = 512;

    public record Options(URI url, int subscribers, double rate, int size, double durationSeconds, int threads) {
        public Options {
            if (subscribers < 1) {
                throw new IllegalArgumentException("--subscribers must be at least 1, was " + subscribers);
            }
            if (!(rate > 0) || rate > 1_000_000) {
                throw new IllegalArgumentException("--rate must be more than 0 and at most 1,000,000 publications/s, was " + rate);
            }
            if (size < HEADER || size > 16 << 20) {
                throw new IllegalArgumentException("--size must be between 16 (sequence number and timestamp) and 16777216 bytes, was " + size);
            }
            if (!(durationSeconds > 0) || durationSeconds > 86_400) {
                throw new IllegalArgumentException("--duration must be more than 0 and at most 86400 seconds, was " + durationSeconds);
            }
            if (threads < 1 || threads > 64) {
                throw new IllegalArgumentException("--threads must be 1 to 64, was " + threads);
            }
        }
    }

    private FanoutBenchmark() {
    }

    static final class State {
        long start;
        long end;
    }

    /** Tracks the publisher's sequence numbers: next expected, and which of the 64 before it arrived. */
    static final class Subscriber extends LoadConnection {
        private final State s;
        private final SequenceWindow sequences = new SequenceWindow();

        Subscriber(LoadRun run, LoopContext ctx, State state, long startNanos) {
            super(run, ctx, startNanos);
            this.s = state;
        }

        @Override
        void onMessage(boolean text, byte[] head, int headLength, long length) {
            long now = System.nanoTime();
            ctx.received++;
            if (text || headLength < HEADER) {
                run.errors.record("bad_message", "A " + length + "-byte " + (text ? "text" : "binary")
                        + " message that the publisher did not send");
                return;
            }
            long seq = Payloads.readLong(head, 0);
            long sentAt = Payloads.readLong(head, 8);
            ctx.arrived(sequences.see(seq), now, sentAt, length, s.start, s.end);
        }
    }

    /** The publishing connection; its task sends every publication due by now. */
    static final class Publisher extends LoadConnection implements Runnable {
        private final State s;
        private final double intervalNanos;
        private final ByteBuffer payload;
        final AtomicBoolean scheduled = new AtomicBoolean();
        long published;

        Publisher(LoadRun run, LoopContext ctx, State state, double rate, int size) {
            super(run, ctx, System.nanoTime());
            this.s = state;
            this.intervalNanos = 1e9 / rate;
            this.payload = ByteBuffer.allocate(size);
        }

        @Override
        void onMessage(boolean text, byte[] head, int headLength, long length) {
            // The broadcast comes back to the publisher too; only subscribers count deliveries.
        }

        @Override
        public void run() {
            scheduled.set(false);
            long now = System.nanoTime();
            while (isOpen()) {
                long intended = s.start + (long) (published * intervalNanos);
                if (intended > now || intended >= s.end || tcp.bufferedBytes() >= BACKLOG_LIMIT) {
                    return;
                }
                payload.putLong(0, published);
                payload.putLong(8, intended);
                send(payload, false);
                published++;
            }
        }
    }

    public static BenchReport run(Options o, PrintStream err) {
        Target target = Target.of(o.url());
        FileDescriptors.check(o.subscribers() + 1L);
        LoadRun run = new LoadRun(target, o.threads(), o.size() + 14, Math.max(1 << 20, o.size()));
        try {
            return execute(o, run, err);
        } finally {
            run.closeAll(Duration.ofSeconds(5));
        }
    }

    private static BenchReport execute(Options o, LoadRun run, PrintStream err) {
        State state = new State();
        Publisher[] publisher = new Publisher[1];
        long t0 = System.nanoTime();
        long[] last = {t0, 0};
        Progress progress = new Progress(err, t0, now -> {
            long delivered = run.sum(c -> c.unique);
            double rate = (delivered - last[1]) * 1e9 / Math.max(1, now - last[0]);
            last[0] = now;
            last[1] = delivered;
            return String.format(Locale.ROOT, "fanout: %,d connections open (%,d subscribers + 1 publisher), %,d published, "
                            + "%,.0f deliveries/s, %,d errors",
                    run.sum(c -> c.open), o.subscribers(),
                    publisher[0] == null ? 0 : publisher[0].published, rate, run.errors.total());
        });

        long connectDeadline = t0 + 30_000_000_000L + o.subscribers() * 1_000_000L;
        for (int i = 0; i < o.subscribers() && System.nanoTime() < connectDeadline; i++) {
            while (run.attempted.get() - run.settled.get() >= MAX_PENDING_CONNECTS && System.nanoTime() < connectDeadline) {
                progress.maybePrint();
                LockSupport.parkNanos(1_000_000);
            }
            new Subscriber(run, run.loopFor(i), state, System.nanoTime()).connect(null);
        }
        run.awaitSettled(run.attempted.get(), connectDeadline, progress);
        long subscribed = run.succeeded.get();
        Publisher pub = new Publisher(run, run.loops.get(0), state, o.rate(), o.size());
        publisher[0] = pub;
        pub.connect(null);
        run.awaitSettled(run.attempted.get(), System.nanoTime() + 15_000_000_000L, progress);
        boolean publisherOpen = run.collect(ctx -> ctx.index == 0 && pub.isOpen()).get(0);

        BenchReport report = new BenchReport("fanout", "duplex bench fanout " + o.url());
        if (subscribed == 0 || !publisherOpen) {
            report.row("result", (subscribed == 0 ? "No subscriber" : "The publisher did not") + " connect; nothing was measured.")
                    .row("errors", EchoBenchmark.errorsRow(run));
            EchoBenchmark.notes(report, run);
            return report.put("url", o.url().toString()).put("subscribers", o.subscribers()).put("messages", 0)
                    .put("deliveries", 0).put("lost", 0).put("duplicated", 0)
                    .put("errors", Math.max(1, run.errors.total())).put("errors_by_kind", run.errors.byKind()).failed();
        }

        // Let the server finish registering the last subscribers before the first publication.
        LockSupport.parkNanos(200_000_000);
        long duration = (long) (o.durationSeconds() * 1e9);
        state.start = System.nanoTime() + 1_000_000;
        state.end = state.start + duration;
        Thread pacer = new Thread(() -> pace(run, state, pub), "duplex-bench-pacer");
        pacer.setDaemon(true);
        pacer.start();
        progress.sleepUntil(state.end);
        try {
            pacer.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }

        long published = run.collect(ctx -> pub.published).get(0);
        long expected = published * subscribed;
        long drainDeadline = System.nanoTime() + DRAIN_NANOS;
        while (run.sum(c -> c.unique) < expected && System.nanoTime() < drainDeadline) {
            progress.maybePrint();
            LockSupport.parkNanos(10_000_000);
        }
        List<long[]> counters = run.collect(ctx -> new long[] {ctx.unique, ctx.duplicated, ctx.late, ctx.windowMessages,
                ctx.windowBytes, ctx.open, ctx.received});
        List<Histogram> histograms = run.collect(ctx -> ctx.latency.copy());
        long unique = 0, duplicated = 0, late = 0, window = 0, bytes = 0, open = 0, received = 0;
        for (long[] c : counters) {
            unique += c[0];
            duplicated += c[1];
            late += c[2];
            window += c[3];
            bytes += c[4];
            open += c[5];
            received += c[6];
        }
        long lost = Math.max(0, expected - unique);
        run.errors.add("lost", lost);
        run.errors.add("duplicated", duplicated);
        run.errors.add("reordered_beyond_64", late);
        LatencySummary latency = LatencySummary.of(histograms);
        double seconds = duration / 1e9;
        double perSecond = window / seconds;
        long errors = run.errors.total();

        report.row("subscribers", BenchReport.count(subscribed) + " of " + BenchReport.count(o.subscribers())
                        + " opened, plus 1 publisher; " + o.threads() + " generator thread" + (o.threads() == 1 ? "" : "s"))
                .row("publishing", String.format(Locale.ROOT, "%,.0f msgs/s of %s for %.1f s: %,d published",
                        o.rate(), BenchReport.bytes(o.size()), seconds, published))
                .row("deliveries", String.format(Locale.ROOT, "%,.0f /s   %,.2f MB/s   (%,d of %,d expected)",
                        perSecond, bytes / 1e6 / seconds, unique, expected))
                .row("end to end (µs)", latency.row() + "   (from intended send time)")
                .row("lost", BenchReport.count(lost))
                .row("duplicated", BenchReport.count(duplicated))
                .row("errors", EchoBenchmark.errorsRow(run));
        EchoBenchmark.notes(report, run);
        report.put("mode", "broadcast")
                .put("url", o.url().toString())
                .put("subscribers", o.subscribers())
                .put("subscribers_opened", subscribed)
                .put("subscribers_open_at_end", Math.max(0, open - 1))
                .put("rate", o.rate())
                .put("size", o.size())
                .put("threads", o.threads())
                .put("duration_s", o.durationSeconds())
                .put("published", published)
                .put("messages", unique)
                .put("deliveries", unique)
                .put("received", received)
                .put("deliveries_per_s", BenchReport.round(perSecond, 1))
                .put("latency_us", latency.json())
                .put("lost", lost)
                .put("duplicated", duplicated)
                .put("reordered", late)
                .put("errors", errors)
                .put("errors_by_kind", run.errors.byKind());
        if (errors > 0 || subscribed < o.subscribers()) {
            report.failed();
        }
        return report;
    }

    private static void pace(LoadRun run, State s, Publisher pub) {
        long triggered = 0;
        while (!run.stopping) {
            long now = System.nanoTime();
            if (now >= s.end) {
                return;
            }
            long due = now < s.start ? 0 : (long) ((now - s.start) / pub.intervalNanos) + 1;
            if (due > triggered) {
                triggered = due;
                if (pub.scheduled.compareAndSet(false, true)) {
                    try {
                        pub.ctx.loop.execute(pub);
                    } catch (RejectedExecutionException e) {
                        return;
                    }
                }
            }
            long wake = Math.min(s.end, s.start + (long) (triggered * pub.intervalNanos));
            long sleep = wake - System.nanoTime();
            if (sleep > 0) {
                LockSupport.parkNanos(sleep);
            }
        }
    }
}
