package dev.duplex.conformance.cases;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Something the fuzzing peer observed (Autobahn's {@code received} list): a whole message, a ping
 * or pong from the peer, or one of the case's own labelled timeouts passing with the connection
 * still open. Compared by kind and exact bytes.
 */
public final class Event {
    /** What happened. */
    public enum Kind { TEXT, BINARY, PING, PONG, TIMEOUT }

    /** For {@link #echo}: the message index, else -1. */
    private final int echoIndex;
    private final Kind kind;
    private final byte[] data;

    private Event(Kind kind, byte[] data) {
        this(kind, data, -1);
    }

    private Event(Kind kind, byte[] data, int echoIndex) {
        this.kind = Objects.requireNonNull(kind);
        this.data = Objects.requireNonNull(data);
        this.echoIndex = echoIndex;
    }

    /**
     * Message {@code index} of a {@link Step.Echoes} sequence came back exactly as sent (the fuzzer
     * compared the bytes; keeping a thousand 128 KiB echoes for the judge would cost 128 MiB).
     */
    public static Event echo(boolean text, int index) {
        if (index < 0) {
            throw new IllegalArgumentException("index must be >= 0");
        }
        return new Event(text ? Kind.TEXT : Kind.BINARY, new byte[0], index);
    }

    public static Event text(byte[] utf8) {
        return new Event(Kind.TEXT, utf8);
    }

    public static Event text(String s) {
        return text(s.getBytes(StandardCharsets.UTF_8));
    }

    public static Event binary(byte[] data) {
        return new Event(Kind.BINARY, data);
    }

    public static Event ping(byte[] data) {
        return new Event(Kind.PING, data);
    }

    public static Event pong(byte[] data) {
        return new Event(Kind.PONG, data);
    }

    public static Event pong(String s) {
        return pong(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A case's wait labelled {@code label} ended with the connection still open. */
    public static Event timeout(String label) {
        return new Event(Kind.TIMEOUT, label.getBytes(StandardCharsets.UTF_8));
    }

    public Kind kind() {
        return kind;
    }

    public int length() {
        return data.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Event e && e.kind == kind && e.echoIndex == echoIndex && Arrays.equals(e.data, data);
    }

    @Override
    public int hashCode() {
        return (kind.hashCode() * 31 + Arrays.hashCode(data)) * 31 + echoIndex;
    }

    /** Short: kind, length and at most the first 16 bytes. */
    @Override
    public String toString() {
        if (echoIndex >= 0) {
            return kind.name().toLowerCase() + " echo #" + echoIndex;
        }
        if (kind == Kind.TIMEOUT) {
            return "timeout " + new String(data, StandardCharsets.UTF_8);
        }
        String head = HexFormat.of().formatHex(data, 0, Math.min(16, data.length));
        return kind.name().toLowerCase() + "(" + data.length + " B" + (data.length == 0 ? "" : ": " + head + (data.length > 16 ? "…" : "")) + ")";
    }
}
