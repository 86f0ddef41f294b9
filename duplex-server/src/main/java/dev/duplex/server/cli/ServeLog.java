package dev.duplex.server.cli;

import java.io.PrintStream;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The lifecycle lines of {@code duplex serve}, one per event, in the format {@code DuplexCommand}
 * gives java.util.logging ({@code 2026-11-23 20:40:55 INFO duplex: …}). Written directly rather than
 * through java.util.logging, whose handlers may already be closed when the shutdown hook runs.
 */
final class ServeLog {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final PrintStream out;

    ServeLog(PrintStream out) {
        this.out = out;
    }

    void info(String message) {
        line("INFO", message);
    }

    void warning(String message) {
        line("WARNING", message);
    }

    private void line(String level, String message) {
        synchronized (out) {
            out.println(TIME.format(LocalDateTime.now()) + " " + level + " duplex: " + message);
            out.flush();
        }
    }
}
