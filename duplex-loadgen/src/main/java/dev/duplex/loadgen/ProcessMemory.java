package dev.duplex.loadgen;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The resident set size of another process, from {@code /proc/PID/status} (Linux). */
final class ProcessMemory {
    private ProcessMemory() {
    }

    /** {@code VmRSS} of {@code pid} in bytes. @throws IOException if the process is gone or the field is missing */
    static long rssBytes(long pid) throws IOException {
        Path status = Path.of("/proc", Long.toString(pid), "status");
        for (String line : Files.readAllLines(status, StandardCharsets.ISO_8859_1)) {
            if (line.startsWith("VmRSS:")) {
                String[] parts = line.substring(6).trim().split("\\s+");
                long value = Long.parseLong(parts[0]);
                return parts.length > 1 && parts[1].equalsIgnoreCase("kB") ? value * 1024 : value;
            }
        }
        throw new IOException("No VmRSS line in " + status + " (is PID " + pid + " a live process?)");
    }
}
