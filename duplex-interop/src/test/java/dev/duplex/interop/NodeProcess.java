package dev.duplex.interop;

import static org.junit.jupiter.api.Assertions.fail;

import dev.duplex.testkit.MiniJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A Node peer process: its stdout lines in a queue (read with a timeout), its stderr kept for
 * failure messages, and {@link #close()} that ends it for sure (destroy, grace period, then
 * destroyForcibly).
 */
final class NodeProcess implements AutoCloseable {
    private static final String EOF = "\u0000EOF";
    private static final Duration GRACE = Duration.ofSeconds(2);

    private final String description;
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private final StringBuilder stderr = new StringBuilder();
    private final Thread stdoutReader;
    private final Thread stderrReader;

    private NodeProcess(String description, Process process) {
        this.description = description;
        this.process = process;
        this.stdoutReader = daemon("stdout of " + description, () -> pump(process.getInputStream(), line -> lines.add(line)));
        this.stderrReader = daemon("stderr of " + description, () -> pump(process.getErrorStream(), line -> {
            synchronized (stderr) {
                if (stderr.length() < 64 * 1024) {
                    stderr.append(line).append('\n');
                }
            }
        }));
    }

    /** Starts {@code node script args...} in the peers' folder. */
    static NodeProcess start(NodePeers.Setup node, String script, String... args) {
        List<String> command = new ArrayList<>();
        command.add(node.node());
        command.add(node.script(script).toString());
        command.addAll(List.of(args));
        String description = String.join(" ", command);
        try {
            Process p = new ProcessBuilder(command).directory(node.dir().toFile()).start();
            return new NodeProcess(description, p);
        } catch (IOException e) {
            return fail(NodePeers.MISSING + ". Cannot start '" + description + "': " + e.getMessage(), e);
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void pump(InputStream in, java.util.function.Consumer<String> sink) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                sink.accept(line);
            }
        } catch (IOException e) {
            // the process is gone
        } finally {
            if (in == process.getInputStream()) {
                lines.add(EOF);
            }
        }
    }

    /** The next stdout line; fails the test (with what the process printed) if none comes in time. */
    String nextLine(Duration timeout) {
        String line;
        try {
            line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while waiting for " + description, e);
        }
        if (line == null) {
            fail("No output from '" + description + "' within " + timeout.toMillis() + " ms" + diagnostics());
        }
        if (line == EOF) {
            lines.add(EOF); // stays at the end for later readers
            fail("'" + description + "' ended its output" + exitDescription() + diagnostics());
        }
        synchronized (seen) {
            seen.add(line);
        }
        return line;
    }

    /** The next stdout line as a JSON object. */
    Map<String, Object> nextEvent(Duration timeout) {
        String line = nextLine(timeout);
        try {
            return MiniJson.parseObject(line);
        } catch (IllegalArgumentException e) {
            return fail("'" + description + "' printed a line that is not JSON: " + line + diagnostics(), e);
        }
    }

    /** Reads events until one matches {@code wanted}, within {@code timeout} in all. */
    Map<String, Object> awaitEvent(Predicate<Map<String, Object>> wanted, String what, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return fail("'" + description + "' did not report " + what + " within " + timeout.toMillis() + " ms"
                        + diagnostics());
            }
            Map<String, Object> event = nextEvent(Duration.ofNanos(left));
            if (wanted.test(event)) {
                return event;
            }
        }
    }

    /** Every event up to and including {"event":"done"}; then waits for the process to exit with 0. */
    List<Map<String, Object>> eventsUntilDone(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Map<String, Object>> events = new ArrayList<>();
        while (true) {
            long left = Math.max(1, deadline - System.nanoTime());
            Map<String, Object> event = nextEvent(Duration.ofNanos(left));
            events.add(event);
            if ("done".equals(event.get("event"))) {
                break;
            }
        }
        int exit = waitForExit(Duration.ofNanos(Math.max(deadline - System.nanoTime(), Duration.ofSeconds(5).toNanos())));
        if (exit != 0) {
            fail("'" + description + "' exited with " + exit + diagnostics());
        }
        return events;
    }

    int waitForExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                fail("'" + description + "' did not exit within " + timeout.toMillis() + " ms" + diagnostics());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while waiting for " + description, e);
        }
        return process.exitValue();
    }

    String stderr() {
        synchronized (stderr) {
            return stderr.toString();
        }
    }

    private String exitDescription() {
        return process.isAlive() ? "" : " (exit code " + process.exitValue() + ")";
    }

    String diagnostics() {
        List<String> copy;
        synchronized (seen) {
            copy = new ArrayList<>(seen.subList(Math.max(0, seen.size() - 30), seen.size()));
        }
        List<String> shortened = copy.stream().map(l -> l.length() > 300 ? l.substring(0, 300) + "…" : l).toList();
        String err = stderr();
        return ".\nLast stdout lines:\n  " + String.join("\n  ", shortened)
                + (err.isEmpty() ? "" : "\nstderr:\n" + err);
    }

    /** Ends the process: stdin closed, destroy, up to {@link #GRACE} to exit, then destroyForcibly. */
    @Override
    public void close() {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // already gone
        }
        process.destroy();
        try {
            if (!process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            stdoutReader.join(2_000);
            stderrReader.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
