package dev.duplex.loadgen;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * {@code duplex bench connect}: opens connections at a fixed rate (round robin over source
 * addresses), completes the WebSocket handshake on each, holds them idle, and reports handshakes
 * per second, handshake latency (from each connection's scheduled start, so a generator or server
 * that falls behind shows up) and errors by kind. Given the server's PID it also reads the
 * server's resident memory before and after, and reports bytes per idle connection; for a JVM
 * server, on request, also its live heap after a full GC and its native memory ({@link JvmMemory}).
 *
 * <p>One process may hold no more connections than {@code ulimit -n} allows (20,000 on the
 * project's machines, less a margin): beyond that, run several generators, each with its own
 * {@code --source-addresses} (every address has its own ephemeral ports).
 */
public final class ConnectBenchmark {

    /**
     * @param sourceAddresses local addresses to connect from, round robin; empty: the OS chooses
     * @param serverPid the server's process id for memory figures, or 0
     * @param jvmMemory with {@code serverPid}: the server is a JVM; force a full GC in it before and
     *        after, and report its live heap and (with native memory tracking on) native memory
     */
    public record Options(URI url, int connections, double rate, List<InetAddress> sourceAddresses,
            double holdSeconds, long serverPid, int threads, boolean jvmMemory) {
        public Options {
            if (connections < 1) {
                throw new IllegalArgumentException("--connections must be at least 1, was " + connections);
            }
            if (!(rate > 0) || rate > 1_000_000) {
                throw new IllegalArgumentException("--rate must be more than 0 and at most 1,000,000 connections/s, was " + rate);
            }
            if (!(holdSeconds >= 0) || holdSeconds > 86_400) {
                throw new IllegalArgumentException("--hold must be 0 to 86400 seconds, was " + holdSeconds);
            }
            if (serverPid < 0) {
                throw new IllegalArgumentException("--server-pid must be a process id, was " + serverPid);
            }
            if (threads < 1 || threads > 64) {
                throw new IllegalArgumentException("--threads must be 1 to 64, was " + threads);
            }
            if (jvmMemory && serverPid == 0) {
                throw new IllegalArgumentException("--jvm-memory needs --server-pid: the JVM to read");
            }
            sourceAddresses = List.copyOf(sourceAddresses);
        }
    }

    private ConnectBenchmark() {
    }

    static final class IdleConnection extends LoadConnection {
        IdleConnection(LoadRun run, LoopContext ctx, long startNanos) {
            super(run, ctx, startNanos);
        }

        @Override
        void onHandshake(long now) {
            ctx.record(now - startNanos);
        }

        @Override
        void onMessage(boolean text, byte[] head, int headLength, long length) {
            ctx.received++; // an echo server sends nothing unasked; counted, not an error
        }
    }

    public static BenchReport run(Options o, PrintStream err) {
        Target target = Target.of(o.url());
        FileDescriptors.check(o.connections());
        long rssBefore = 0;
        JvmMemory jvmBefore = null;
        if (o.serverPid() > 0) {
            try {
                if (o.jvmMemory()) {
                    jvmBefore = JvmMemory.of(o.serverPid()); // first: its GC may return pages, lowering RSS
                }
                rssBefore = ProcessMemory.rssBytes(o.serverPid());
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("Cannot read the memory of --server-pid " + o.serverPid()
                        + ": " + e.getMessage());
            }
        }
        LoadRun run = new LoadRun(target, o.threads(), 4096, 1 << 20);
        try {
            return execute(o, run, err, rssBefore, jvmBefore);
        } finally {
            run.closeAll(Duration.ofSeconds(Math.max(5, o.connections() / 5_000)));
        }
    }

    private static BenchReport execute(Options o, LoadRun run, PrintStream err, long rssBefore, JvmMemory jvmBefore) {
        long t0 = System.nanoTime();
        long[] last = {t0, 0};
        Progress progress = new Progress(err, t0, now -> {
            long opened = run.succeeded.get();
            double rate = (opened - last[1]) * 1e9 / Math.max(1, now - last[0]);
            last[0] = now;
            last[1] = opened;
            return String.format(Locale.ROOT, "connect: %,d/%,d handshakes done, %,d open, %,.0f handshakes/s, %,d errors",
                    opened, o.connections(), run.sum(c -> c.open), rate, run.errors.total());
        });

        List<InetSocketAddress> sources = new ArrayList<>();
        for (InetAddress address : o.sourceAddresses()) {
            sources.add(new InetSocketAddress(address, 0));
        }
        double interval = 1e9 / o.rate();
        long start = System.nanoTime() + 1_000_000;
        Thread connector = new Thread(() -> {
            for (int i = 0; i < o.connections() && !run.stopping; i++) {
                long intended = start + (long) (i * interval);
                LoadRun.parkUntil(intended);
                InetSocketAddress local = sources.isEmpty() ? null : sources.get(i % sources.size());
                new IdleConnection(run, run.loopFor(i), intended).connect(local);
            }
        }, "duplex-bench-connector");
        connector.setDaemon(true);
        connector.start();

        long scheduleEnd = start + (long) (o.connections() * interval);
        long deadline = scheduleEnd + 25_000_000_000L; // connect and handshake timeouts, plus slack
        while (connector.isAlive() && System.nanoTime() < deadline) {
            progress.maybePrint();
            LockSupport.parkNanos(10_000_000);
        }
        boolean allSettled = run.awaitSettled(o.connections(), deadline, progress);
        List<Long> lastHandshakes = run.collect(ctx -> ctx.lastHandshakeNanos);
        long lastHandshake = lastHandshakes.stream().mapToLong(Long::longValue).max().orElse(0);
        long opened = run.succeeded.get();

        // Hold the connections idle (at least a second when measuring memory, so the server settles).
        double hold = o.serverPid() > 0 ? Math.max(1, o.holdSeconds()) : o.holdSeconds();
        progress.sleepUntil(System.nanoTime() + (long) (hold * 1e9));
        long rssAfter = 0;
        String rssError = null;
        JvmMemory jvmAfter = null;
        if (o.serverPid() > 0) {
            try {
                rssAfter = ProcessMemory.rssBytes(o.serverPid());
                if (o.jvmMemory()) {
                    jvmAfter = JvmMemory.of(o.serverPid());
                }
            } catch (IOException e) {
                rssError = e.getMessage();
                run.errors.record("server_gone", e);
            }
        }
        List<long[]> counters = run.collect(ctx -> new long[] {ctx.open, ctx.opened});
        List<Histogram> histograms = run.collect(ctx -> ctx.latency.copy());
        long stillOpen = counters.stream().mapToLong(c -> c[0]).sum();
        if (!allSettled) {
            run.errors.add("not_settled", o.connections() - run.settled.get());
        }
        LatencySummary latency = LatencySummary.of(histograms);
        double seconds = Math.max(1e-9, (lastHandshake - start) / 1e9);
        double perSecond = opened == 0 ? 0 : opened / seconds;
        long errors = run.errors.total();

        BenchReport report = new BenchReport("connect", "duplex bench connect " + o.url());
        report.row("connections", BenchReport.count(opened) + " of " + BenchReport.count(o.connections())
                        + " opened, " + BenchReport.count(stillOpen) + " still open after the hold")
                .row("schedule", String.format(Locale.ROOT, "%,.0f connections/s from %s, %d generator thread%s",
                        o.rate(), sources.isEmpty() ? "the OS's choice of address" : sources.size() + " source address"
                                + (sources.size() == 1 ? "" : "es"), o.threads(), o.threads() == 1 ? "" : "s"))
                .row("handshakes", String.format(Locale.ROOT, "%,.0f /s (%,d in %.2f s)", perSecond, opened, seconds))
                .row("handshake (µs)", latency.row() + "   (from scheduled start)")
                .row("held idle", String.format(Locale.ROOT, "%.1f s", hold))
                .row("errors", EchoBenchmark.errorsRow(run));
        Double perConnection = null;
        if (o.serverPid() > 0 && rssError == null) {
            perConnection = stillOpen > 0 ? BenchReport.round((double) (rssAfter - rssBefore) / stillOpen, 1) : null;
            report.row("server RSS", String.format(Locale.ROOT, "%,d KiB before, %,d KiB after: %s bytes per idle connection",
                    rssBefore >> 10, rssAfter >> 10, perConnection == null ? "n/a" : BenchReport.decimal(perConnection)));
            if (jvmAfter == null) {
                report.note("RSS counts heap the server has not collected yet; for the steady-state figure use "
                        + "--jvm-memory (a JVM server) and measure the slope over several connection counts.");
            }
        }
        Double heapPerConnection = null;
        Double nativePerConnection = null;
        if (jvmAfter != null && stillOpen > 0) {
            heapPerConnection = BenchReport.round((double) (jvmAfter.liveHeapBytes() - jvmBefore.liveHeapBytes()) / stillOpen, 1);
            report.row("server live heap", String.format(Locale.ROOT, "%,d KiB before, %,d KiB after a full GC: %s bytes per idle connection",
                    jvmBefore.liveHeapBytes() >> 10, jvmAfter.liveHeapBytes() >> 10, BenchReport.decimal(heapPerConnection)));
            if (jvmAfter.nativeCommittedBytes() != null && jvmBefore.nativeCommittedBytes() != null) {
                nativePerConnection = BenchReport.round(
                        (double) (jvmAfter.nativeCommittedBytes() - jvmBefore.nativeCommittedBytes()) / stillOpen, 1);
                report.row("server native", String.format(Locale.ROOT, "%,d KiB before, %,d KiB after (NMT, outside the heap): %s bytes per idle connection",
                        jvmBefore.nativeCommittedBytes() >> 10, jvmAfter.nativeCommittedBytes() >> 10,
                        BenchReport.decimal(nativePerConnection)));
            } else {
                report.note("The server's native memory is not reported: start it with -XX:NativeMemoryTracking=summary.");
            }
        }
        EchoBenchmark.notes(report, run);
        report.put("url", o.url().toString())
                .put("connections", o.connections())
                .put("rate", o.rate())
                .put("source_addresses", o.sourceAddresses().stream().map(InetAddress::getHostAddress).toList())
                .put("threads", o.threads())
                .put("opened", opened)
                .put("open_after_hold", stillOpen)
                .put("handshakes_per_s", BenchReport.round(perSecond, 1))
                .put("handshake_latency_us", latency.json())
                .put("hold_s", hold)
                .put("errors", errors)
                .put("errors_by_kind", run.errors.byKind())
                .put("server_rss_before", o.serverPid() > 0 ? rssBefore : null)
                .put("server_rss_after", o.serverPid() > 0 && rssError == null ? rssAfter : null)
                .put("server_bytes_per_connection", perConnection)
                .put("server_live_heap_after", jvmAfter == null ? null : jvmAfter.liveHeapBytes())
                .put("server_native_after", jvmAfter == null ? null : jvmAfter.nativeCommittedBytes())
                .put("server_heap_bytes_per_connection", heapPerConnection)
                .put("server_native_bytes_per_connection", nativePerConnection);
        if (errors > 0 || opened < o.connections()) {
            report.failed();
        }
        return report;
    }
}
