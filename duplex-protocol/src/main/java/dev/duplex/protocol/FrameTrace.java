package dev.duplex.protocol;

/**
 * One frame as it is on the wire, reported to a {@link FrameObserver}: header bits, payload
 * length and, for a Close frame, its code and reason. A compressed message is reported as sent,
 * RSV1 set on its first frame and the compressed length. Immutable.
 *
 * @param direction {@link Direction#IN} (read from the peer) or {@link Direction#OUT} (written by us)
 * @param opcode the 4-bit opcode (see {@link Opcode}); a reserved one is reported as it came
 * @param masked whether the frame carries a mask key (every client frame, no server frame)
 * @param payloadLength the payload length from the header (compressed bytes for a compressed message)
 * @param closeCode the status code of a Close frame, or {@link #NO_CLOSE_CODE} for other frames
 *     and for a Close frame without one (or whose payload was not read, after a protocol error)
 * @param closeReason the reason of a Close frame with a code ({@code ""} when it has none), else null
 */
public record FrameTrace(
        Direction direction,
        boolean fin,
        boolean rsv1,
        boolean rsv2,
        boolean rsv3,
        int opcode,
        boolean masked,
        long payloadLength,
        int closeCode,
        String closeReason) {

    /** Whether a frame was read or written. */
    public enum Direction { IN, OUT }

    /** {@link #closeCode()} of a frame that carries no close code. */
    public static final int NO_CLOSE_CODE = -1;

    /**
     * A readable opcode: {@code continuation}, {@code text}, {@code binary}, {@code close},
     * {@code ping}, {@code pong}, or {@code reserved-0xN}.
     */
    public String opcodeName() {
        Opcode known = Opcode.of(opcode);
        if (known == null) {
            return "reserved-0x" + Integer.toHexString(opcode);
        }
        return switch (known) {
            case CONTINUATION -> "continuation";
            case TEXT -> "text";
            case BINARY -> "binary";
            case CLOSE -> "close";
            case PING -> "ping";
            case PONG -> "pong";
        };
    }

    /** Whether this is a control frame (close, ping, pong or a reserved control opcode). */
    public boolean isControl() {
        return (opcode & 0x8) != 0;
    }
}
