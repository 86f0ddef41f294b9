package dev.duplex.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Mosquitto MQTT broker (the Debian package {@code mosquitto}) started by a test as a child
 * process on a free loopback port, from a generated minimal configuration: one listener on
 * 127.0.0.1, anonymous clients allowed, no persistence. Can be killed and started again on the same port. Close it to stop it.
 */
public final class MosquittoProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

    private final Path binary;
    private final Path dir;
    private final int port;
    private Process process;

    private MosquittoProcess(Path binary, Path dir, int port) {
        this.binary = binary;
        this.dir = dir;
        this.port = port;
    }

    /** Starts a Mosquitto; fails with the package to install when the binary is missing. */
    public static MosquittoProcess start() throws IOException {
        Path binary = Executables.require("mosquitto", "mosquitto");
        Path dir = Files.createTempDirectory("duplex-mosquitto-");
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            MosquittoProcess mosquitto = new MosquittoProcess(binary, dir, RedisProcess.freePort());
            try {
                mosquitto.launch();
                return mosquitto;
            } catch (IOException e) {
                last = e; // the port was taken between choosing and binding it: choose again
            }
        }
        throw last;
    }

    public int port() {
        return port;
    }

    public String host() {
        return "127.0.0.1";
    }

    /** {@code tcp://127.0.0.1:PORT}. */
    public String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    public boolean running() {
        return process != null && process.isAlive();
    }

    private void launch() throws IOException {
        Path config = dir.resolve("mosquitto-" + port + ".conf");
        Files.writeString(config, String.join("\n", List.of(
                "listener " + port + " 127.0.0.1",
                "allow_anonymous true",
                "persistence false",
                "log_dest stderr",
                "log_type error",
                "log_type warning",
                "")));
        Path log = dir.resolve("mosquitto-" + port + ".log");
        process = new ProcessBuilder(binary.toString(), "-c", config.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("mosquitto on port " + port + " exited: " + log(log));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
                return;
            } catch (IOException notYet) {
                // not listening yet
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while starting mosquitto", e);
            }
        }
        process.destroyForcibly();
        throw new IOException("mosquitto on port " + port + " did not listen within " + START_TIMEOUT + ": " + log(log));
    }

    private static String log(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** SIGKILL. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Starts again on the same port, empty (SIGKILL first if it still runs). */
    public void restart() throws IOException, InterruptedException {
        kill();
        launch();
    }

    @Override
    public void close() throws InterruptedException {
        kill();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder
        }
    }
}
