package dev.duplex.server.cli.connect;

import dev.duplex.protocol.CloseCodes;
import dev.duplex.websocket.WebSocket;
import dev.duplex.websocket.WebSocketListener;
import dev.duplex.websocket.internal.FrameTracing;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One {@code duplex connect} session: input lines become messages (through a {@link LineTranslator})
 * or {@code /} commands; received messages go to {@code out}, one per line; status (connected,
 * pongs, errors, the close) goes to {@code err}. With frame tracing on, every frame both ways is a
 * line on {@code out} too, in wire order with the messages (both are printed on the connection's
 * event loop).
 *
 * <p>Exit status: {@link #EXIT_OK} when the close handshake completed and either we started it or
 * the server closed with 1000 or 1001; {@link #EXIT_CLOSED_ABNORMALLY} when the server closed with
 * another code, the connection failed or dropped.
 */
public final class ConnectSession implements WebSocketListener {
    public static final int EXIT_OK = 0;
    public static final int EXIT_CONNECT_FAILED = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_CLOSED_ABNORMALLY = 3;

    /** How long the end of input waits for replies to what was sent (see {@link #finishInput}). */
    private static final long DRAIN_MILLIS = 2_000;
    private static final byte[] DRAIN_PING = "end of input".getBytes(StandardCharsets.US_ASCII);
    private static final int PREVIEW_BYTES = 16;
    private static final String HELP = "/ping [data], /close [code] [reason], /quit; start a line with // to send one beginning with /";

    private final URI uri;
    private final LineTranslator translator;
    private final boolean traceFrames;
    private final PrintStream out;
    private final PrintStream err;
    private final CompletableFuture<Integer> exitCode = new CompletableFuture<>();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private volatile WebSocket ws;
    private volatile boolean closeRequested;
    private volatile boolean failed;

    public ConnectSession(URI uri, LineTranslator translator, boolean traceFrames, PrintStream out, PrintStream err) {
        this.uri = uri;
        this.translator = translator;
        this.traceFrames = traceFrames;
        this.out = out;
        this.err = err;
    }

    /** Completes with the exit status once the connection is closed. */
    public CompletableFuture<Integer> exitCode() {
        return exitCode;
    }

    // ------------------------------------------------------------ input (the reading thread)

    /**
     * Reads lines until the end of input, a {@code /close} or {@code /quit}, or the connection
     * closes. At the end of input it closes with 1000 after {@link #finishInput}.
     */
    public void readInput(BufferedReader in) {
        try {
            String line;
            while (!exitCode.isDone() && (line = in.readLine()) != null) {
                if (!handleLine(line)) {
                    return;
                }
            }
        } catch (IOException e) {
            err.println("Could not read input: " + e.getMessage());
        }
        if (!exitCode.isDone()) {
            finishInput();
        }
    }

    /** Sends or executes one line; returns false when no more input is wanted. */
    boolean handleLine(String line) {
        WebSocket socket = ws;
        if (socket == null || exitCode.isDone()) {
            return false;
        }
        if (line.startsWith("/") && !line.startsWith("//")) {
            return command(socket, line);
        }
        OutgoingMessage message;
        try {
            message = translator.translate(line.startsWith("//") ? line.substring(1) : line);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return true;
        }
        if (message != null) {
            send(socket, message);
        }
        return true;
    }

    private void send(WebSocket socket, OutgoingMessage message) {
        boolean queued = message instanceof OutgoingMessage.Text text
                ? socket.sendText(text.text())
                : socket.sendBinary(ByteBuffer.wrap(((OutgoingMessage.Binary) message).bytes()));
        if (!queued) {
            err.println("Not sent: the connection is " + (socket.isClosed() ? "closed" : "closing"));
        }
    }

    private boolean command(WebSocket socket, String line) {
        int space = line.indexOf(' ');
        String name = space < 0 ? line : line.substring(0, space);
        String argument = space < 0 ? "" : line.substring(space + 1);
        switch (name) {
            case "/ping" -> {
                byte[] payload = argument.getBytes(StandardCharsets.UTF_8);
                if (payload.length > 125) {
                    err.println("A ping carries at most 125 bytes; this one has " + payload.length);
                } else if (!socket.ping(ByteBuffer.wrap(payload))) {
                    err.println("Not sent: the connection is " + (socket.isClosed() ? "closed" : "closing"));
                }
                return true;
            }
            case "/close" -> {
                String trimmed = argument.strip();
                int code = CloseCodes.NORMAL;
                String reason = null;
                if (!trimmed.isEmpty()) {
                    int end = trimmed.indexOf(' ');
                    String codeText = end < 0 ? trimmed : trimmed.substring(0, end);
                    try {
                        code = Integer.parseInt(codeText);
                    } catch (NumberFormatException e) {
                        err.println("Not a close code: " + codeText + " (usage: /close [code] [reason])");
                        return true;
                    }
                    reason = end < 0 ? null : trimmed.substring(end + 1).strip();
                }
                return !close(socket, code, reason);
            }
            case "/quit" -> {
                return !close(socket, CloseCodes.NORMAL, null);
            }
            default -> {
                err.println("Unknown command " + name + ": " + HELP);
                return true;
            }
        }
    }

    /** Starts the close handshake; returns whether it did (false: a code or reason that may not be sent). */
    private boolean close(WebSocket socket, int code, String reason) {
        closeRequested = true;
        try {
            socket.close(code, reason);
            return true;
        } catch (IllegalArgumentException e) {
            closeRequested = false;
            err.println(e.getMessage());
            return false;
        }
    }

    /**
     * The end of input: sends a ping and waits (up to 2 s in all) for its pong, which a server answers
     * after the replies to what came before it, and for the replies the mode still expects
     * ({@link LineTranslator#settled}), so those are printed; then closes with 1000.
     */
    void finishInput() {
        WebSocket socket = ws;
        if (socket == null || !socket.isOpen()) {
            return;
        }
        if (socket.ping(ByteBuffer.wrap(DRAIN_PING))) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS);
            try {
                CompletableFuture.anyOf(drained, exitCode).get(DRAIN_MILLIS, TimeUnit.MILLISECONDS);
                CompletableFuture.anyOf(translator.settled(), exitCode)
                        .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (translator.serverClosing()) {
                    exitCode.get(DRAIN_MILLIS, TimeUnit.MILLISECONDS); // its Close is on the way: ours would cross it
                }
            } catch (TimeoutException | ExecutionException e) {
                // close anyway
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!exitCode.isDone()) {
            close(socket, CloseCodes.NORMAL, null);
        }
    }

    /** The process is stopping (Ctrl+C): the client's 1001 that follows is ours, not the server's. */
    public void shuttingDown() {
        closeRequested = true;
    }

    // ------------------------------------------------------------ connection events (the event loop)

    @Override
    public void onOpen(WebSocket socket) {
        this.ws = socket;
        if (traceFrames) {
            FrameTracing.observe(socket, frame -> out.println(FrameLines.format(frame)));
        }
        StringBuilder line = new StringBuilder("Connected to ").append(uri);
        if (socket.subprotocol() != null) {
            line.append(" (subprotocol ").append(socket.subprotocol()).append(')');
        }
        if (!socket.extensions().isEmpty()) {
            line.append(" (extensions ").append(socket.extensions()).append(')');
        }
        String modeHelp = translator.help();
        err.println(line.append(". Type ").append(modeHelp == null ? "lines to send" : modeHelp).append("; ").append(HELP).append('.'));
        translator.attach(message -> send(socket, message));
        for (OutgoingMessage message : translator.onOpen()) {
            send(socket, message);
        }
    }

    @Override
    public void onText(WebSocket socket, String text) {
        String line = translator.describe(text);
        if (line != null) {
            out.println(FrameLines.printable(line));
        }
    }

    @Override
    public void onBinary(WebSocket socket, ByteBuffer data) {
        out.println(describeBinary(data));
    }

    @Override
    public void onPong(WebSocket socket, ByteBuffer payload) {
        if (payload.equals(ByteBuffer.wrap(DRAIN_PING))) {
            drained.complete(null);
            return;
        }
        err.println("Pong " + FrameLines.quote(StandardCharsets.UTF_8.decode(payload).toString()));
    }

    @Override
    public void onError(WebSocket socket, Throwable error) {
        failed = true;
        err.println("Error: " + (error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage()));
    }

    @Override
    public void onClose(WebSocket socket, int code, String reason) {
        translator.detach();
        String detail = code + (reason == null || reason.isEmpty() ? "" : " " + FrameLines.quote(reason));
        int status;
        if (code == CloseCodes.ABNORMAL) {
            err.println("Connection dropped: " + detail);
            status = EXIT_CLOSED_ABNORMALLY;
        } else if (failed) {
            err.println("Closed after an error: " + detail);
            status = EXIT_CLOSED_ABNORMALLY;
        } else if (closeRequested) {
            err.println("Closed: " + detail);
            status = EXIT_OK;
        } else {
            err.println("Closed by the server: " + detail);
            status = code == CloseCodes.NORMAL || code == CloseCodes.GOING_AWAY ? EXIT_OK : EXIT_CLOSED_ABNORMALLY;
        }
        exitCode.complete(status);
    }

    /** {@code <binary N bytes: 00 01 ...>}: the first 16 bytes in hex. */
    static String describeBinary(ByteBuffer data) {
        int n = data.remaining();
        StringBuilder line = new StringBuilder("<binary ").append(n).append(n == 1 ? " byte" : " bytes");
        if (n > 0) {
            line.append(':');
            for (int i = 0; i < Math.min(n, PREVIEW_BYTES); i++) {
                line.append(' ').append(Character.forDigit((data.get(data.position() + i) >> 4) & 0xF, 16))
                        .append(Character.forDigit(data.get(data.position() + i) & 0xF, 16));
            }
            if (n > PREVIEW_BYTES) {
                line.append(" ...");
            }
        }
        return line.append('>').toString();
    }
}
