package dev.duplex.bench.peers;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A peer started as a process, the way the benchmark runner starts it: waits (with a timeout) for
 * its first stdout line, which must be {@code LISTENING <port>}; {@link #close()} ends it for sure
 * (destroy, a grace period, then destroyForcibly).
 */
final class PeerProcess implements RunningPeer {
    private static final Duration GRACE = Duration.ofSeconds(3);

    private final String description;
    private final Process process;
    private final BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
    private final StringBuilder stderr = new StringBuilder();
    private final Thread stdoutReader;
    private final Thread stderrReader;
    private final int port;

    private PeerProcess(List<String> command, Path directory, Duration startTimeout) {
        this.description = String.join(" ", command);
        try {
            this.process = new ProcessBuilder(command).directory(directory.toFile()).start();
        } catch (IOException e) {
            throw new AssertionError("cannot start '" + description + "': " + e.getMessage(), e);
        }
        this.stdoutReader = pump("stdout", process.getInputStream(), stdout::add);
        this.stderrReader = pump("stderr", process.getErrorStream(), line -> {
            synchronized (stderr) {
                if (stderr.length() < 16 * 1024) {
                    stderr.append(line).append('\n');
                }
            }
        });
        int found;
        try {
            found = awaitListening(startTimeout);
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
        this.port = found;
    }

    /** Starts {@code command} in {@code directory} and waits for {@code LISTENING <port>}. */
    static PeerProcess start(List<String> command, Path directory, Duration startTimeout) {
        return new PeerProcess(command, directory, startTimeout);
    }

    /** {@code java -cp <this test's class path> dev.duplex.bench.peers.Peers args...}. */
    static PeerProcess startJvmPeer(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Peers.class.getName());
        command.addAll(List.of(args));
        return start(command, Path.of(System.getProperty("user.dir")), Duration.ofSeconds(20));
    }

    private Thread pump(String name, InputStream in, java.util.function.Consumer<String> sink) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    sink.accept(line);
                }
            } catch (IOException e) {
                // the process is gone
            }
        }, name + " of " + description);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private int awaitListening(Duration timeout) {
        String line;
        try {
            line = stdout.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while starting " + description, e);
        }
        if (line == null) {
            return fail("'" + description + "' printed no line within " + timeout.toMillis() + " ms"
                    + (process.isAlive() ? "" : " (exited with " + process.exitValue() + ")") + diagnostics());
        }
        if (!line.matches("LISTENING [0-9]{1,5}")) {
            return fail("'" + description + "' printed '" + line + "' instead of 'LISTENING <port>'" + diagnostics());
        }
        return Integer.parseInt(line.substring("LISTENING ".length()));
    }

    /** Lines printed to stdout after the LISTENING line (there should be none). */
    List<String> extraStdout() {
        List<String> lines = new ArrayList<>();
        stdout.drainTo(lines);
        return lines;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String diagnostics() {
        synchronized (stderr) {
            return stderr.length() == 0 ? "" : "\nstderr:\n" + stderr;
        }
    }

    @Override
    public int port() {
        return port;
    }

    /** SIGTERM, up to {@link #GRACE} to exit, then SIGKILL. */
    @Override
    public void close() {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // gone already
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
