package dev.duplex.loadgen;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;

/** Errors by kind, with the first message seen for each kind. Thread safe; errors are rare, so allocating here is fine. */
final class Errors {
    private final ConcurrentHashMap<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, String> examples = new ConcurrentHashMap<>();

    void record(String kind, Object detail) {
        counts.computeIfAbsent(kind, k -> new LongAdder()).increment();
        if (detail != null) {
            examples.putIfAbsent(kind, detail instanceof Throwable t ? describe(t) : String.valueOf(detail));
        }
    }

    void add(String kind, long count) {
        if (count > 0) {
            counts.computeIfAbsent(kind, k -> new LongAdder()).add(count);
        }
    }

    long total() {
        long sum = 0;
        for (LongAdder adder : counts.values()) {
            sum += adder.sum();
        }
        return sum;
    }

    /** Counts by kind, sorted by name. */
    Map<String, Long> byKind() {
        Map<String, Long> result = new TreeMap<>();
        counts.forEach((kind, adder) -> result.put(kind, adder.sum()));
        return result;
    }

    String example(String kind) {
        return examples.get(kind);
    }

    /** A short kind name for a connect or I/O failure. */
    static String kindOf(Throwable error) {
        Throwable e = unwrap(error);
        if (e instanceof BindException) {
            return "bind_failed";
        }
        if (e instanceof SocketTimeoutException) {
            return "connect_timeout";
        }
        if (e instanceof ConnectException) {
            String m = String.valueOf(e.getMessage());
            return m.contains("refused") ? "connect_refused" : "connect_failed";
        }
        if (e instanceof SocketException && String.valueOf(e.getMessage()).contains("Too many open files")) {
            return "fd_limit";
        }
        if (e instanceof RejectedExecutionException) {
            return "generator_stopped";
        }
        if (e instanceof IOException) {
            return "io_error";
        }
        return e.getClass().getSimpleName();
    }

    static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static String describe(Throwable t) {
        Throwable e = unwrap(t);
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}
