package dev.duplex.conformance.fuzzing;

import dev.duplex.conformance.cases.Event;
import dev.duplex.conformance.cases.Frame;
import dev.duplex.conformance.cases.Judge.FuzzerRole;
import dev.duplex.conformance.cases.Observation;
import dev.duplex.conformance.cases.Script;
import dev.duplex.conformance.cases.Step;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Plays one case's {@link Script} on an open WebSocket connection, as the fuzzing client or the
 * fuzzing server, and records an {@link Observation}.
 *
 * <p>Three threads: the caller runs the steps and the timers; a reader thread parses the peer's
 * frames, answers pings and closes, and closes the case by itself once the expected events are
 * in; a writer thread owns the output stream, so the reader never blocks on a write while the
 * peer waits for us to read (a 16 MiB frame going out while its echo comes in). Every wait is
 * bounded by the case's own times plus a margin, and by an optional time limit.
 *
 * <p>With permessage-deflate agreed ({@link DeflateCodec}) every message the fuzzer sends is
 * compressed, RSV1 is accepted on the first frame of the peer's data messages only, and the
 * peer's compressed messages are inflated strictly before they count as events.
 *
 * <p>One instance runs one case; not reusable.
 */
final class CaseSession {
    /** How long we wait for the peer's answer to our close. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(2);
    /** How long the fuzzing client waits for the server to close TCP after the close handshake. */
    static final Duration DROP_TIMEOUT = Duration.ofSeconds(2);
    /** Beyond the case's own waits, how long writes and round trips may take before we give up. */
    private static final Duration MARGIN = Duration.ofSeconds(30);
    /** Pause after each frame written "sync", so it travels in its own segments (Autobahn waits too). */
    private static final long SYNC_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final FuzzerRole role;
    private final Script script;
    private final FrameEncoder encoder;
    private final long hardDeadline;
    private final ExecutorService writer;
    private final Map<Frame, byte[]> sliced = new IdentityHashMap<>();
    private final DeflateCodec deflate;

    // Guarded by this.
    private final List<Event> events = new ArrayList<>();
    private boolean closeSent;
    private boolean closedByFuzzer;
    private boolean closeReceived;
    private Integer remoteCode;
    private boolean peerClosedTcp;
    private boolean tcpDone;
    private boolean weClosedSocket;
    private boolean droppedByFuzzer;
    private boolean killedAtDeadline;
    private String violation;
    private Echo pendingEcho;
    private int compressedMessages;

    // Reader thread only.
    private boolean messageCompressed;
    private int messageOpcode;
    private final ByteArrayOutputStream message = new ByteArrayOutputStream();

    /**
     * @param timeLimit caps the whole case (the suite's budget), or null for the case's own times
     * @param deflate permessage-deflate as agreed in the handshake, or null
     */
    CaseSession(Socket socket, InputStream in, OutputStream out, FuzzerRole role, Script script, long seed, Duration timeLimit,
            DeflateCodec deflate) {
        this.deflate = deflate;
        this.socket = socket;
        this.in = in;
        this.out = out;
        this.role = role;
        this.script = script;
        this.encoder = new FrameEncoder(role == FuzzerRole.CLIENT, seed);
        Duration budget = script.scriptedTime().plus(MARGIN);
        if (timeLimit != null && timeLimit.compareTo(budget) < 0) {
            budget = timeLimit;
        }
        this.hardDeadline = System.nanoTime() + budget.toNanos();
        this.writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzzer-writer");
            t.setDaemon(true);
            return t;
        });
    }

    Observation run() {
        Thread reader = new Thread(this::readLoop, "fuzzer-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            runSteps();
            finish();
        } finally {
            dropSocket(false);
            writer.shutdownNow();
            try {
                reader.join(CLOSE_TIMEOUT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (deflate != null) {
                deflate.end();
            }
        }
        synchronized (this) {
            return new Observation(true, events, closedByFuzzer, closeSent, closeReceived, remoteCode, peerClosedTcp,
                    droppedByFuzzer, killedAtDeadline, violation);
        }
    }

    // ---- steps (caller thread) ----

    private void runSteps() {
        for (Step step : script.steps()) {
            if (isTcpDone()) {
                return;
            }
            if (step instanceof Step.Send s) {
                if (s.startsClose()) {
                    markCloseSentByFuzzer();
                }
                byte[] bytes = encode(s.frame());
                if (!awaitWrite(() -> writeBytes(bytes, s.chopSize(), s.sync() ? SYNC_PAUSE_NANOS : 0))) {
                    return;
                }
            } else if (step instanceof Step.SendMessage m) {
                if (!awaitWrite(() -> writeMessage(m))) {
                    return;
                }
            } else if (step instanceof Step.SendSlice sl) {
                byte[] bytes = sliced.computeIfAbsent(sl.frame(), this::encode);
                int header = bytes.length - sl.frame().payload().length;
                int from = sl.from() == 0 ? 0 : header + sl.from();
                int to = header + sl.to();
                if (!awaitWrite(() -> {
                    out.write(bytes, from, to - from);
                    out.flush();
                })) {
                    return;
                }
            } else if (step instanceof Step.Pause p) {
                if (!pause(p)) {
                    return;
                }
            } else if (step instanceof Step.RoundTrips rt) {
                if (!roundTrips(rt)) {
                    return;
                }
            } else if (step instanceof Step.Echoes e) {
                if (!echoes(e)) {
                    return;
                }
            }
        }
    }

    /** False when the case must stop sending. */
    private boolean pause(Step.Pause p) {
        if (p.timeoutLabel() == null) {
            await(this::isTcpDoneLocked, p.duration());
            return !isTcpDone();
        }
        await(() -> !isOpenLocked(), p.duration());
        synchronized (this) {
            if (!isOpenLocked()) {
                return false;
            }
            events.add(Event.timeout(p.timeoutLabel()));
            return true;
        }
    }

    private boolean roundTrips(Step.RoundTrips rt) {
        for (int i = 0; i < rt.count(); i++) {
            int before = eventCount();
            byte[] bytes = encode(rt.frame());
            if (!awaitWrite(() -> writeBytes(bytes, 0, 0))) {
                return false;
            }
            boolean echoed = await(() -> events.size() > before || tcpDone || closeReceived, Duration.ofNanos(hardDeadline - System.nanoTime()));
            if (!echoed || eventCount() == before) {
                return false;
            }
        }
        return true;
    }

    /** A message of an {@link Step.Echoes} sequence waiting for its echo. */
    private record Echo(boolean text, int index, byte[] payload) {
    }

    private boolean echoes(Step.Echoes e) {
        for (int i = 0; i < e.count(); i++) {
            byte[] payload = e.message().apply(i);
            int before;
            synchronized (this) {
                before = events.size();
                pendingEcho = new Echo(e.text(), i, payload);
            }
            if (!awaitWrite(() -> writeMessage(e.text(), payload, e.fragmentSize()))) {
                return false;
            }
            boolean echoed = await(() -> events.size() > before || tcpDone || closeReceived, Duration.ofNanos(hardDeadline - System.nanoTime()));
            synchronized (this) {
                if (!echoed || events.size() == before) {
                    return false;
                }
                if (!events.get(before).equals(Event.echo(e.text(), i))) {
                    echoed = false;
                }
            }
            if (!echoed) {
                sendCloseAsFuzzer(); // a wrong echo ends the case at once, as in Autobahn
                return false;
            }
        }
        return true;
    }

    private void finish() {
        boolean settled = await(() -> tcpDone || (closeSent && closeReceived), script.finalDelay());
        if (!settled) {
            if (script.killAtEnd()) {
                synchronized (this) {
                    killedAtDeadline = true;
                    droppedByFuzzer = true;
                }
                dropSocket(true);
                return;
            }
            sendCloseAsFuzzer();
            if (!await(() -> tcpDone || (closeSent && closeReceived), CLOSE_TIMEOUT)) {
                synchronized (this) {
                    droppedByFuzzer = true;
                }
                dropSocket(true);
                return;
            }
        }
        // The close handshake is done, or TCP is gone. A server closes TCP now (the reader did);
        // a client gives the server time to close first.
        if (!await(this::isTcpDoneLocked, role == FuzzerRole.CLIENT ? DROP_TIMEOUT : CLOSE_TIMEOUT)) {
            synchronized (this) {
                droppedByFuzzer = true;
            }
            dropSocket(true);
        }
    }

    // ---- reader thread ----

    private void readLoop() {
        FrameReader reader = new FrameReader(in);
        try {
            while (true) {
                PeerFrame f = reader.next();
                if (f == null) {
                    break;
                }
                handle(f);
            }
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("this fuzzer accepts")) {
                violate(e.getMessage());
            }
        } finally {
            synchronized (this) {
                peerClosedTcp = !weClosedSocket;
                tcpDone = true;
                notifyAll();
            }
        }
    }

    private void handle(PeerFrame f) {
        synchronized (this) {
            if (closeReceived || violation != null) {
                return; // nothing counts after the peer's close
            }
        }
        boolean mustBeMasked = role == FuzzerRole.SERVER;
        if (f.masked() != mustBeMasked) {
            violate(mustBeMasked ? "a client frame was not masked" : "a server frame was masked");
            return;
        }
        if (deflate == null && f.rsv() != 0) {
            violate("RSV bits " + f.rsv() + " set with no extension agreed");
            return;
        }
        if (deflate != null && f.rsv() != 0) {
            boolean firstDataFrame = f.opcode() == Frame.TEXT || f.opcode() == Frame.BINARY;
            if (f.rsv() != 4) {
                violate("RSV bits " + f.rsv() + " set; permessage-deflate claims RSV1 only (RFC 7692 §6)");
                return;
            }
            if (!firstDataFrame) {
                violate(f.isControl() ? "RSV1 set on a control frame (opcode " + f.opcode() + "): control frames are never compressed (RFC 7692 §6.1)"
                        : "RSV1 set on a " + (f.opcode() == Frame.CONTINUATION ? "continuation" : "opcode " + f.opcode())
                                + " frame; only the first frame of a data message may carry it (RFC 7692 §6.1)");
                return;
            }
        }
        if (f.isControl() && (!f.fin() || f.payload().length > 125)) {
            violate("control frame (opcode " + f.opcode() + ") fragmented or over 125 octets");
            return;
        }
        switch (f.opcode()) {
            case Frame.CLOSE -> onClose(f.payload());
            case Frame.PING -> {
                addPeerEvent(Event.ping(f.payload()));
                synchronized (this) {
                    if (closeSent) {
                        return;
                    }
                }
                byte[] pong = encode(Frame.pong(f.payload()));
                post(() -> safely(() -> writeBytes(pong, 0, 0)));
            }
            case Frame.PONG -> addPeerEvent(Event.pong(f.payload()));
            case Frame.TEXT, Frame.BINARY -> {
                if (messageOpcode != 0) {
                    violate("a new data frame started inside a fragmented message");
                    return;
                }
                messageOpcode = f.opcode();
                messageCompressed = f.rsv() != 0;
                message.reset();
                appendFragment(f);
            }
            case Frame.CONTINUATION -> {
                if (messageOpcode == 0) {
                    violate("a continuation frame with no message to continue");
                    return;
                }
                appendFragment(f);
            }
            default -> violate("reserved opcode " + f.opcode());
        }
    }

    private void appendFragment(PeerFrame f) {
        message.writeBytes(f.payload());
        if (f.fin()) {
            byte[] data = message.toByteArray();
            boolean text = messageOpcode == Frame.TEXT;
            messageOpcode = 0;
            message.reset();
            if (messageCompressed) {
                int n;
                synchronized (this) {
                    n = ++compressedMessages;
                }
                try {
                    data = deflate.inflate(data);
                } catch (StrictInflater.MalformedException e) {
                    violate("compressed message " + n + " (" + (text ? "text" : "binary") + ", " + data.length
                            + " octets compressed) is not acceptable with " + deflate + ": " + e.getMessage());
                    return;
                }
            }
            Event event;
            synchronized (this) {
                Echo echo = pendingEcho;
                pendingEcho = null;
                event = echo != null && echo.text() == text && Arrays.equals(echo.payload(), data) ? Event.echo(text, echo.index())
                        : text ? Event.text(data) : Event.binary(data);
            }
            addPeerEvent(event);
        }
    }

    private void onClose(byte[] payload) {
        if (payload.length == 1) {
            violate("close frame with a 1-octet payload");
            return;
        }
        boolean reply;
        synchronized (this) {
            closeReceived = true;
            remoteCode = payload.length >= 2 ? ByteBuffer.wrap(payload).getShort() & 0xFFFF : null;
            reply = !closeSent;
            closeSent = true;
            notifyAll();
        }
        if (reply) {
            byte[] bytes = encode(payload.length >= 2 ? Frame.close(1000) : Frame.of(Frame.CLOSE, true, new byte[0]));
            post(() -> safely(() -> writeBytes(bytes, 0, 0)));
        }
        if (role == FuzzerRole.SERVER) {
            post(() -> dropSocket(false)); // after our reply is out: the server closes TCP
        }
    }

    /** Records a peer event; closes the case once the expected events are in, if the fuzzer closes. */
    private void addPeerEvent(Event e) {
        boolean close;
        synchronized (this) {
            events.add(e);
            notifyAll();
            close = script.close().closedByFuzzer() && !script.suppressClose() && !closeSent
                    && events.size() >= script.expectedOk().size();
        }
        if (close) {
            sendCloseAsFuzzer();
        }
    }

    private void violate(String what) {
        synchronized (this) {
            if (violation == null) {
                violation = what;
            }
        }
        dropSocket(true);
    }

    // ---- writing (writer thread) ----

    private interface IoAction {
        void run() throws IOException;
    }

    private void safely(IoAction action) {
        try {
            action.run();
        } catch (IOException e) {
            // The peer is gone; the reader sees it too. Nothing else to do.
        }
    }

    /** Queues {@code task} on the writer; after the case ended there is nothing left to write to. */
    private void post(Runnable task) {
        try {
            writer.execute(task);
        } catch (RejectedExecutionException e) {
            // the case is over
        }
    }

    /** Runs {@code action} on the writer and waits; false when the case must stop sending. */
    private boolean awaitWrite(IoAction action) {
        Future<?> done = writer.submit(() -> safely(action));
        try {
            done.get(Math.max(0, hardDeadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return !isTcpDone();
        } catch (TimeoutException e) {
            dropSocket(true);
            return false;
        } catch (ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void writeBytes(byte[] bytes, int chopSize, long pauseNanos) throws IOException {
        if (chopSize <= 0) {
            out.write(bytes);
            out.flush();
        } else {
            for (int at = 0; at < bytes.length; at += chopSize) {
                out.write(bytes, at, Math.min(chopSize, bytes.length - at));
                out.flush();
            }
        }
        if (pauseNanos > 0) {
            LockSupport.parkNanos(pauseNanos);
        }
    }

    private void writeMessage(Step.SendMessage m) throws IOException {
        writeMessage(m.text(), m.payload(), m.fragmentSize());
    }

    /**
     * Writes a message in frames of {@code fragmentSize} payload octets (0: one frame). With
     * permessage-deflate the whole message is compressed first and the compressed payload cut into
     * frames, RSV1 on the first (Autobahn's auto-fragmentation of compressed messages).
     */
    private void writeMessage(boolean text, byte[] message, int fragmentSize) throws IOException {
        byte[] p = deflate == null ? message : deflate.compress(message);
        int rsv = deflate == null ? 0 : 4;
        int size = fragmentSize <= 0 ? Math.max(p.length, 1) : fragmentSize;
        int from = 0;
        do {
            int to = Math.min(p.length, from + size);
            boolean first = from == 0;
            int opcode = first ? (text ? Frame.TEXT : Frame.BINARY) : Frame.CONTINUATION;
            out.write(encode(to == p.length, first ? rsv : 0, opcode, p, from, to));
            from = to;
        } while (from < p.length);
        out.flush();
    }

    private void sendCloseAsFuzzer() {
        synchronized (this) {
            if (closeSent) {
                return;
            }
        }
        markCloseSentByFuzzer();
        byte[] bytes = encode(Frame.close(1000));
        post(() -> safely(() -> writeBytes(bytes, 0, 0)));
    }

    private synchronized void markCloseSentByFuzzer() {
        if (!closeSent && !closeReceived) {
            closedByFuzzer = true;
        }
        closeSent = true;
    }

    private byte[] encode(Frame f) {
        synchronized (encoder) {
            return encoder.encode(f);
        }
    }

    private byte[] encode(boolean fin, int rsv, int opcode, byte[] payload, int from, int to) {
        synchronized (encoder) {
            return encoder.encode(fin, rsv, opcode, payload, from, to);
        }
    }

    // ---- state ----

    private void dropSocket(boolean abort) {
        synchronized (this) {
            weClosedSocket = weClosedSocket || !tcpDone;
        }
        try {
            if (abort && !socket.isClosed()) {
                socket.setSoLinger(true, 0);
            }
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private synchronized boolean isTcpDone() {
        return tcpDone;
    }

    private boolean isTcpDoneLocked() {
        return tcpDone;
    }

    private boolean isOpenLocked() {
        return !tcpDone && !closeSent && !closeReceived;
    }

    private synchronized int eventCount() {
        return events.size();
    }

    /** Waits until {@code condition} (read under this lock) holds, at most {@code d} and never past the hard deadline. */
    private synchronized boolean await(BooleanSupplier condition, Duration d) {
        long end = Math.min(System.nanoTime() + d.toNanos(), hardDeadline);
        while (!condition.getAsBoolean()) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
