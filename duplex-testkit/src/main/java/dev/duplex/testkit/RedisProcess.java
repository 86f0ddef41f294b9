package dev.duplex.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} started by a test as a child process on a free loopback port, with no
 * persistence (a restart starts empty, as a crashed Redis without a disk does). Can be killed and
 * started again on the same port. Close it to stop it.
 */
public final class RedisProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

    private final Path binary;
    private final Path dir;
    private final List<String> extra;
    private final int port;
    private Process process;

    private RedisProcess(Path binary, Path dir, int port, List<String> extra) {
        this.binary = binary;
        this.dir = dir;
        this.port = port;
        this.extra = extra;
    }

    /** Starts a Redis with these extra configuration arguments (e.g. {@code --maxmemory 2mb}). */
    public static RedisProcess start(String... extraArgs) throws IOException {
        Path binary = Executables.require("redis-server", "redis-server");
        Path dir = Files.createTempDirectory("duplex-redis-");
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            RedisProcess redis = new RedisProcess(binary, dir, freePort(), List.of(extraArgs));
            try {
                redis.launch();
                return redis;
            } catch (IOException e) {
                last = e; // the port was taken between choosing and binding it: choose again
            }
        }
        throw last;
    }

    public int port() {
        return port;
    }

    /** The server's process id, for reading its CPU time (benchmarks). */
    public long pid() {
        return process.pid();
    }

    /** {@code redis://127.0.0.1:PORT}. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    public boolean running() {
        return process != null && process.isAlive();
    }

    /** SIGKILL: Redis dies at once, losing everything (it keeps nothing on disk). */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Starts again on the same port, empty. */
    public void restart() throws IOException, InterruptedException {
        kill();
        launch();
    }

    /** Runs one command (arguments as {@code redis-cli} takes them) and returns its reply as text. */
    public String command(String... args) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
            for (String a : args) {
                byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
                request.append('$').append(bytes.length).append("\r\n").append(a).append("\r\n");
            }
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return readReply(socket.getInputStream());
        }
    }

    private void launch() throws IOException {
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--loglevel", "warning"));
        cmd.addAll(extra);
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis-" + port + ".log").toFile()).start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("redis-server on port " + port + " exited: " + log());
            }
            try {
                if (command("PING").equals("PONG")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while starting redis-server", e);
            }
        }
        process.destroyForcibly();
        throw new IOException("redis-server on port " + port + " did not answer PING within " + START_TIMEOUT + ": " + log());
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("redis-" + port + ".log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** A RESP reply as text: simple strings and bulk strings as they are, arrays one element a line. */
    private static String readReply(InputStream in) throws IOException {
        String line = readLine(in);
        switch (line.charAt(0)) {
            case '+', ':' -> {
                return line.substring(1);
            }
            case '-' -> throw new IOException("Redis error: " + line.substring(1));
            case '$' -> {
                int length = Integer.parseInt(line.substring(1));
                if (length < 0) {
                    return "";
                }
                byte[] bytes = in.readNBytes(length + 2);
                return new String(bytes, 0, length, StandardCharsets.UTF_8);
            }
            case '*' -> {
                int count = Integer.parseInt(line.substring(1));
                StringBuilder out = new StringBuilder();
                for (int i = 0; i < count; i++) {
                    out.append(readReply(in)).append('\n');
                }
                return out.toString();
            }
            default -> throw new IOException("Unexpected reply: " + line);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\r') {
                in.read();
                return sb.toString();
            }
            sb.append((char) c);
        }
        throw new IOException("connection closed");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
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
