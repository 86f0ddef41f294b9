package dev.duplex.loadgen;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a JVM server keeps, read with the JDK's {@code jcmd}: the live heap after a full GC
 * ({@code GC.class_histogram}, which collects before it counts) and, when the server runs with
 * {@code -XX:NativeMemoryTracking=summary}, the native memory it has committed outside the heap
 * and the collector (thread stacks, direct buffers, sockets' bookkeeping, code, metaspace). RSS alone cannot separate the
 * two: a heap keeps pages that garbage once touched, and a pre-touched heap hides everything in it.
 */
record JvmMemory(long liveHeapBytes, Long nativeCommittedBytes) {
    private static final Pattern HISTOGRAM_TOTAL = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)\\s*$");
    private static final Pattern NMT_TOTAL = Pattern.compile("Total: reserved=\\d+KB, committed=(\\d+)KB");
    private static final Pattern NMT_HEAP = Pattern.compile("Java Heap \\(reserved=\\d+KB, committed=(\\d+)KB\\)");
    private static final Pattern NMT_GC = Pattern.compile("-\\s+GC \\(reserved=\\d+KB, committed=(\\d+)KB\\)");

    /** Forces a full GC in {@code pid} and reads its live heap and native memory. */
    static JvmMemory of(long pid) throws IOException {
        long live = liveHeap(jcmd(pid, "GC.class_histogram"));
        return new JvmMemory(live, nativeOutsideHeap(jcmd(pid, "VM.native_memory", "summary")));
    }

    static long liveHeap(String histogram) throws IOException {
        Matcher total = HISTOGRAM_TOTAL.matcher(histogram);
        if (!total.find()) {
            throw new IOException("jcmd GC.class_histogram printed no Total line: " + firstLine(histogram));
        }
        return Long.parseLong(total.group(1));
    }

    /**
     * NMT's committed total less the heap and the collector's own structures (card tables, mark
     * bitmaps: they follow the heap's size as it grows and shrinks, not the server's work), or null
     * when NMT is off.
     */
    static Long nativeOutsideHeap(String summary) {
        Matcher total = NMT_TOTAL.matcher(summary);
        Matcher heap = NMT_HEAP.matcher(summary);
        if (!total.find() || !heap.find()) {
            return null; // "Native memory tracking is not enabled"
        }
        Matcher gc = NMT_GC.matcher(summary);
        long gcCommitted = gc.find() ? Long.parseLong(gc.group(1)) : 0;
        return (Long.parseLong(total.group(1)) - Long.parseLong(heap.group(1)) - gcCommitted) * 1024;
    }

    private static String jcmd(long pid, String... command) throws IOException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) {
            throw new IOException(jcmd + " is missing: --jvm-memory needs a full JDK, not a JRE");
        }
        List<String> args = new java.util.ArrayList<>(List.of(jcmd.toString(), Long.toString(pid)));
        args.addAll(List.of(command));
        Process process = new ProcessBuilder(args).redirectErrorStream(true).start();
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("jcmd " + String.join(" ", command) + " did not finish within 60 s");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running jcmd", e);
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IOException("jcmd " + pid + " " + String.join(" ", command) + " failed (is " + pid
                    + " a JVM of the same user?): " + firstLine(text));
        }
        return text;
    }

    private static String firstLine(String text) {
        String trimmed = text.strip();
        int end = trimmed.indexOf('\n');
        return end < 0 ? trimmed : trimmed.substring(0, end);
    }
}
