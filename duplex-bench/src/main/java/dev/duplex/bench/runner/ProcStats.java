package dev.duplex.bench.runner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Deterministic-ish counters of a process from /proc: CPU time (utime + stime), syscalls, resident
 * memory. CPU time normalises throughput on a noisy machine; syscall counts do not depend on
 * timing at all.
 */
record ProcStats(long cpuMillis, long readSyscalls, long writeSyscalls, long rssBytes) {
    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

    static ProcStats of(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // The command name may hold spaces; fields are counted after its closing parenthesis.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
            long syscr = 0;
            long syscw = 0;
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/io"))) {
                if (line.startsWith("syscr:")) {
                    syscr = Long.parseLong(line.substring(6).trim());
                } else if (line.startsWith("syscw:")) {
                    syscw = Long.parseLong(line.substring(6).trim());
                }
            }
            long rss = 0;
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
            return new ProcStats(ticks * 1000 / TICKS_PER_SECOND, syscr, syscw, rss);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read /proc/" + pid + ": is the server still running? " + e.getMessage(), e);
        }
    }

    ProcStats minus(ProcStats before) {
        return new ProcStats(cpuMillis - before.cpuMillis, readSyscalls - before.readSyscalls,
                writeSyscalls - before.writeSyscalls, rssBytes - before.rssBytes);
    }
}
