package dev.duplex.conformance.fuzzing;

import dev.duplex.conformance.cases.AutobahnCase;
import dev.duplex.conformance.cases.CaseResult;
import dev.duplex.conformance.cases.DeflateScenario;
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
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Plays Autobahn's fuzzing client against a WebSocket server: for each case it opens a raw TCP
 * connection, performs the opening handshake itself, sends masked frames exactly as the case
 * says (invalid ones included), reads the server's frames with its own parser, and judges the
 * outcome, including whether the server closed TCP after the close handshake as RFC 6455 §7.1.1
 * asks. Loopback only: the point is testing our own server, not probing others' machines.
 *
 * <p>For sections 12 and 13 it offers permessage-deflate exactly as Autobahn does, rejects a
 * response that breaks RFC 7692 §7.1 (the case fails in the handshake), reports UNIMPLEMENTED
 * when the server declines, and otherwise holds the server's compressed messages to the window
 * and context takeover it agreed to ({@link StrictInflater}).
 *
 * <p>Thread safe: cases may run from several threads, each on its own connection.
 */
public final class FuzzingClient {
    private static final int HANDSHAKE_TIMEOUT_MS = 5_000;

    private final URI uri;
    private final InetSocketAddress address;
    private final Duration timeLimit;

    /** @param uri the echo endpoint, e.g. {@code ws://127.0.0.1:9001/echo}; must be on loopback */
    public FuzzingClient(URI uri) {
        this(uri, null);
    }

    private FuzzingClient(URI uri, Duration timeLimit) {
        if (!"ws".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("Expected ws://host:port/path, got " + uri);
        }
        InetAddress host;
        try {
            host = InetAddress.getByName(uri.getHost());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("Unknown host in " + uri, e);
        }
        if (!host.isLoopbackAddress()) {
            throw new IllegalArgumentException("The fuzzing client only connects to loopback addresses: " + uri);
        }
        this.uri = uri;
        this.address = new InetSocketAddress(host, uri.getPort() < 0 ? 80 : uri.getPort());
        this.timeLimit = timeLimit;
    }

    /**
     * A copy that gives up on any case after {@code limit}, however long the case itself would wait
     * (Autobahn waits up to 480 s in 9.7.6; a test suite should not).
     */
    public FuzzingClient withTimeLimit(Duration limit) {
        return new FuzzingClient(uri, limit);
    }

    /** Runs one case on a new connection. */
    public CaseResult run(AutobahnCase c) {
        Script script = c.script().get();
        long start = System.nanoTime();
        Observation o;
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(address, HANDSHAKE_TIMEOUT_MS);
            socket.setSoTimeout(HANDSHAKE_TIMEOUT_MS);
            InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            if (uri.getRawQuery() != null) {
                path += "?" + uri.getRawQuery();
            }
            DeflateScenario scenario = script.deflate();
            Handshakes.Head head = Handshakes.client(in, out, uri.getHost() + ":" + address.getPort(), path,
                    new Random(c.id().hashCode()), scenario == null ? null : scenario.offerHeader());
            DeflateCodec deflate = null;
            if (scenario != null) {
                String agreed = head.header("Sec-WebSocket-Extensions");
                if (agreed == null) {
                    o = declined(out, c.id());
                    return Judge.judge(c.id(), script, o, FuzzerRole.CLIENT, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                }
                deflate = DeflateCodec.forClient(DeflateHandshake.validateResponse(agreed, scenario.clientOffers()));
            }
            socket.setSoTimeout(0);
            o = new CaseSession(socket, in, out, FuzzerRole.CLIENT, script, c.id().hashCode(), timeLimit, deflate).run();
        } catch (IOException e) {
            o = Observation.notOpened(e.toString());
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        return Judge.judge(c.id(), script, o, FuzzerRole.CLIENT, millis);
    }

    /** The server declined permessage-deflate: close as Autobahn does, and report the case UNIMPLEMENTED. */
    private static Observation declined(OutputStream out, String id) {
        try {
            out.write(new FrameEncoder(true, id.hashCode()).encode(Frame.close(1000)));
            out.flush();
        } catch (IOException e) {
            // the verdict is the same
        }
        return Observation.unimplemented("the server declined permessage-deflate");
    }

    /** Runs the cases one after another. */
    public List<CaseResult> runAll(List<AutobahnCase> cases) {
        List<CaseResult> results = new ArrayList<>(cases.size());
        for (AutobahnCase c : cases) {
            results.add(run(c));
        }
        return results;
    }
}
