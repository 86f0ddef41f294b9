package dev.duplex.conformance.fuzzing;

import dev.duplex.conformance.cases.AutobahnCase;
import dev.duplex.conformance.cases.CaseResult;
import dev.duplex.conformance.cases.Frame;
import dev.duplex.conformance.cases.Judge;
import dev.duplex.conformance.cases.Judge.FuzzerRole;
import dev.duplex.conformance.cases.Observation;
import dev.duplex.conformance.cases.Script;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

/**
 * Plays Autobahn's fuzzing server for a WebSocket client, speaking Autobahn's driver protocol on
 * loopback:
 *
 * <ul>
 *   <li>{@code /getCaseCount}: sends the number of cases as a text message, then closes;
 *   <li>{@code /runCase?case=N&agent=A}: runs case N (1-based, Autobahn's order) with unmasked
 *       frames, expects the client to echo (masked) and to close or fail as the case says, and
 *       records the verdict for agent A; the server closes TCP after the close handshake. For
 *       sections 12 and 13 it answers the client's permessage-deflate offer as the case says
 *       (Autobahn's {@code acceptN}), records UNIMPLEMENTED when nothing fits, FAILED for an
 *       invalid offer (answered 400), and holds the client's compressed messages to the window
 *       and context takeover agreed ({@link StrictInflater});
 *   <li>{@code /updateReports?agent=A}: waits until no {@code /runCase} of agent A is still
 *       without its verdict, makes agent A's results final ({@link #awaitReports}), and closes.
 * </ul>
 *
 * Connections are served one thread each. A case's verdict is recorded on its connection's
 * thread after the connection closed (the observation includes how it closed), so the driver
 * may already be on its next request when the verdict goes in: {@code /updateReports} waiting
 * for the cases still in flight is what makes "the driver's reports are updated" mean "all its
 * verdicts are in". Thread safe.
 */
public final class FuzzingServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.duplex.conformance");
    private static final int HANDSHAKE_TIMEOUT_MS = 5_000;

    private final List<AutobahnCase> cases;
    private final ServerSocket serverSocket;
    private final Duration timeLimit;
    private final Thread acceptor;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Map<String, Map<String, CaseResult>> results = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> reports = new ConcurrentHashMap<>();
    private final Map<String, InFlight> inFlight = new ConcurrentHashMap<>();
    /** Test seam: runs on a case's thread just before its verdict (agent, case id) is recorded. */
    volatile BiConsumer<String, String> beforeRecord = (agent, id) -> { };

    private FuzzingServer(List<AutobahnCase> cases, ServerSocket serverSocket, Duration timeLimit) {
        this.cases = List.copyOf(cases);
        this.serverSocket = serverSocket;
        this.timeLimit = timeLimit;
        this.acceptor = new Thread(this::acceptLoop, "fuzzing-server-accept");
        this.acceptor.setDaemon(true);
    }

    /**
     * Starts on a free loopback port.
     *
     * @param timeLimit gives up on any case after this long, or null for the cases' own times
     */
    public static FuzzingServer start(List<AutobahnCase> cases, Duration timeLimit) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        FuzzingServer server = new FuzzingServer(cases, socket, timeLimit);
        server.acceptor.start();
        return server;
    }

    /** The base URI a driver connects to, e.g. {@code ws://127.0.0.1:40123}. */
    public URI uri() {
        return URI.create("ws://" + serverSocket.getInetAddress().getHostAddress() + ":" + serverSocket.getLocalPort());
    }

    /** The cases served, in {@code /runCase} order. */
    public List<AutobahnCase> cases() {
        return cases;
    }

    /**
     * Agent {@code agent}'s results so far, by case id in the order they were recorded (see
     * {@link #orderedResults} for case order); final once {@link #awaitReports} said so.
     */
    public Map<String, CaseResult> results(String agent) {
        Map<String, CaseResult> r = results.get(agent);
        if (r == null) {
            return Map.of();
        }
        synchronized (r) {
            return new LinkedHashMap<>(r);
        }
    }

    /**
     * Waits until agent {@code agent} asked for {@code /updateReports} and every case it ran until
     * then has its verdict in {@link #results}; false on timeout.
     */
    public boolean awaitReports(String agent, Duration timeout) throws InterruptedException {
        try {
            reportsFor(agent).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            serverSocket.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private CompletableFuture<Void> reportsFor(String agent) {
        return reports.computeIfAbsent(agent, a -> new CompletableFuture<>());
    }

    private void acceptLoop() {
        int n = 0;
        while (!serverSocket.isClosed()) {
            try {
                Socket s = serverSocket.accept();
                open.add(s);
                Thread t = new Thread(() -> serve(s), "fuzzing-server-" + (++n));
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!serverSocket.isClosed()) {
                    LOG.log(System.Logger.Level.WARNING, "Fuzzing server accept failed: {0}", e.toString());
                }
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(HANDSHAKE_TIMEOUT_MS);
            InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
            Handshakes.Request request = Handshakes.readRequest(in, out);
            URI requested = URI.create(request.target());
            Map<String, String> query = parseQuery(requested.getRawQuery());
            String agent = query.getOrDefault("agent", "unknown");
            switch (requested.getPath()) {
                case "/getCaseCount" -> {
                    Handshakes.accept(out, request, null);
                    closeAfter(socket, in, out, Frame.text(String.valueOf(cases.size())));
                }
                case "/runCase" -> {
                    // In flight from before the handshake is answered, the first thing the driver
                    // can see of this case, until its verdict is recorded.
                    InFlight running = inFlight(agent);
                    running.begin();
                    try {
                        runCase(socket, in, out, request, query.get("case"), agent);
                    } finally {
                        running.end();
                    }
                }
                case "/updateReports" -> {
                    Handshakes.accept(out, request, null);
                    if (!inFlight(agent).awaitNone()) {
                        return; // interrupted: the server is going away
                    }
                    reportsFor(agent).complete(null);
                    closeAfter(socket, in, out, null);
                }
                default -> {
                    Handshakes.accept(out, request, null);
                    closeAfter(socket, in, out, null);
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "Fuzzing server connection ended: {0}", e.toString());
        } finally {
            open.remove(socket);
        }
    }

    private void runCase(Socket socket, InputStream in, OutputStream out, Handshakes.Request request, String caseParam, String agent)
            throws IOException {
        int index;
        try {
            index = Integer.parseInt(caseParam);
        } catch (NumberFormatException | NullPointerException e) {
            index = -1;
        }
        if (index < 1 || index > cases.size()) {
            Handshakes.accept(out, request, null);
            closeAfter(socket, in, out, null);
            return;
        }
        AutobahnCase c = cases.get(index - 1);
        Script script = c.script().get();
        long start = System.nanoTime();
        DeflateCodec deflate = null;
        if (script.deflate() != null) {
            DeflateHandshake.Answer answer;
            try {
                answer = DeflateHandshake.accept(request.head().header("Sec-WebSocket-Extensions"), script.deflate().serverAccepts());
            } catch (IOException e) {
                // The verdict does not depend on how this connection ends: record it first.
                record(agent, c, script, Observation.notOpened(e.getMessage()), start);
                Handshakes.reject(out);
                return;
            }
            if (answer == null) {
                record(agent, c, script, Observation.unimplemented("the client offered no permessage-deflate the case accepts"), start);
                Handshakes.accept(out, request, null);
                closeAfter(socket, in, out, null);
                return;
            }
            Handshakes.accept(out, request, answer.element());
            deflate = DeflateCodec.forServer(answer.agreed());
        } else {
            Handshakes.accept(out, request, null);
        }
        socket.setSoTimeout(0);
        Observation o = new CaseSession(socket, in, out, FuzzerRole.SERVER, script, c.id().hashCode(), timeLimit, deflate).run();
        record(agent, c, script, o, start);
    }

    private void record(String agent, AutobahnCase c, Script script, Observation o, long start) {
        CaseResult result = Judge.judge(c.id(), script, o, FuzzerRole.SERVER, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        beforeRecord.accept(agent, c.id());
        Map<String, CaseResult> byCase = results.computeIfAbsent(agent, a -> new LinkedHashMap<>());
        synchronized (byCase) {
            byCase.put(c.id(), result);
            byCase.notifyAll();
        }
    }

    /** Waits until agent {@code agent}'s result for case {@code id} is recorded; null on timeout. */
    public CaseResult awaitResult(String agent, String id, Duration timeout) throws InterruptedException {
        Map<String, CaseResult> byCase = results.computeIfAbsent(agent, a -> new LinkedHashMap<>());
        long end = System.nanoTime() + timeout.toNanos();
        synchronized (byCase) {
            while (!byCase.containsKey(id)) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                TimeUnit.NANOSECONDS.timedWait(byCase, left);
            }
            return byCase.get(id);
        }
    }

    private InFlight inFlight(String agent) {
        return inFlight.computeIfAbsent(agent, a -> new InFlight());
    }

    /**
     * An agent's {@code /runCase} connections whose verdict is not recorded yet. Each is bounded by
     * its case's own times and the server's time limit, so waiting for none needs no timeout of
     * its own.
     */
    private static final class InFlight {
        private int cases;

        synchronized void begin() {
            cases++;
        }

        synchronized void end() {
            if (--cases == 0) {
                notifyAll();
            }
        }

        /** False if interrupted. */
        synchronized boolean awaitNone() {
            while (cases > 0) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    /** Sends {@code first} (if any) and a close 1000, waits briefly for the client's close, closes TCP. */
    private static void closeAfter(Socket socket, InputStream in, OutputStream out, Frame first) throws IOException {
        FrameEncoder encoder = new FrameEncoder(false, 0);
        if (first != null) {
            out.write(encoder.encode(first));
        }
        out.write(encoder.encode(Frame.close(1000)));
        out.flush();
        socket.setSoTimeout((int) CaseSession.CLOSE_TIMEOUT.toMillis());
        FrameReader reader = new FrameReader(in);
        try {
            for (int i = 0; i < 100; i++) {
                PeerFrame f = reader.next();
                if (f == null || f.opcode() == Frame.CLOSE) {
                    break;
                }
            }
        } catch (SocketTimeoutException e) {
            // the client did not answer; close anyway
        }
    }

    private static Map<String, String> parseQuery(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    /** Every case result of {@code agent}, in case order; cases never run are missing. */
    public List<CaseResult> orderedResults(String agent) {
        Map<String, CaseResult> r = results(agent);
        List<CaseResult> out = new ArrayList<>();
        for (AutobahnCase c : cases) {
            if (r.containsKey(c.id())) {
                out.add(r.get(c.id()));
            }
        }
        return out;
    }
}
