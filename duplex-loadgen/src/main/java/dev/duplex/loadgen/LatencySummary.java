package dev.duplex.loadgen;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** Percentiles of the loops' histograms merged, in microseconds. */
record LatencySummary(long count, double p50, double p90, double p99, double p999, double max) {

    static LatencySummary of(List<Histogram> histograms) {
        Histogram all = new Histogram(LoopContext.HIGHEST_NANOS, 3);
        for (Histogram h : histograms) {
            all.add(h);
        }
        if (all.getTotalCount() == 0) {
            return new LatencySummary(0, 0, 0, 0, 0, 0);
        }
        return new LatencySummary(all.getTotalCount(), micros(all.getValueAtPercentile(50)),
                micros(all.getValueAtPercentile(90)), micros(all.getValueAtPercentile(99)),
                micros(all.getValueAtPercentile(99.9)), micros(all.getMaxValue()));
    }

    private static double micros(long nanos) {
        return BenchReport.round(nanos / 1000.0, 1);
    }

    String row() {
        return String.format(java.util.Locale.ROOT, "p50 %s   p90 %s   p99 %s   p99.9 %s   max %s",
                BenchReport.decimal(p50), BenchReport.decimal(p90), BenchReport.decimal(p99),
                BenchReport.decimal(p999), BenchReport.decimal(max));
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", count);
        m.put("p50", p50);
        m.put("p90", p90);
        m.put("p99", p99);
        m.put("p999", p999);
        m.put("max", max);
        return m;
    }
}
