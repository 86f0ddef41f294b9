package dev.duplex.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code duplex serve} run as a user runs it, in a process of its own: started, awaited until its
 * {@code /health} answers, asked for pages, and stopped with SIGTERM. Its output goes to a file, so
 * a failure can quote it.
 */
final class ServeProcess implements AutoCloseable {
    /** The line serve logs once it listens: "Health: http://localhost:8080/health, ...". */
    private static final Pattern HEALTH = Pattern.compile("Health: https?://[^/\\s]+:(\\d+)/health");
    private static final Duration POLL = Duration.ofMillis(200);

    private final Process process;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private int port = -1;

    private ServeProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code command}, its standard output and error both into {@code log}. */
    static ServeProcess start(ProcessBuilder command, Path log) throws IOException {
        command.redirectErrorStream(true).redirectOutput(log.toFile());
        return new ServeProcess(command.start(), log);
    }

    /**
     * Waits until serve logged its address and {@code /health} answers 200, at most {@code limit}
     * (which includes a first build when the launcher needs one). Fails with the log if the process
     * ends first or the limit passes.
     */
    int awaitHealthy(Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail("duplex serve ended with exit code %d before it was healthy; its output:%n%s", process.exitValue(), output());
            }
            if (port < 0) {
                Matcher m = HEALTH.matcher(output());
                if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                }
            }
            if (port > 0 && healthy()) {
                return port;
            }
            process.waitFor(POLL.toMillis(), TimeUnit.MILLISECONDS);
        }
        fail("duplex serve was not healthy within %s; its output:%n%s", limit, output());
        return -1;
    }

    private boolean healthy() {
        try {
            return get("/health").statusCode() == 200;
        } catch (IOException e) {
            return false; // not listening yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Sends SIGTERM and waits for the process to end; returns its exit code. */
    int stop(Duration limit) throws Exception {
        process.destroy(); // SIGTERM on Linux
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail("duplex serve did not stop within %s of SIGTERM; its output:%n%s", limit, output());
        }
        return process.exitValue();
    }

    String output() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    /** Checks the page a newcomer opens first: the dashboard. */
    void assertDashboardServed() throws Exception {
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).as("GET /").isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).get().asString().startsWith("text/html");
        assertThat(page.body()).as("the dashboard's page").contains("<title>").contains("dashboard.js");
        HttpResponse<String> client = get("/duplex.js");
        assertThat(client.statusCode()).as("GET /duplex.js").isEqualTo(200);
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
