package dev.duplex.conformance.cases;

import java.util.List;

/**
 * What the fuzzing peer saw of one case, for {@link Judge}.
 *
 * @param opened the opening handshake completed
 * @param events the events in order
 * @param closedByFuzzer the fuzzer sent its close before receiving the peer's (Autobahn's {@code closedByMe})
 * @param closeSent the fuzzer sent a close frame (first or in reply)
 * @param closeReceived the peer sent a close frame
 * @param remoteCode the code in the peer's close frame, or null for none or an empty one
 * @param peerClosedTcp the peer closed (or reset) the TCP connection
 * @param droppedByFuzzer the fuzzer dropped TCP because the peer did not after the close
 *     handshake, or at the case's deadline
 * @param killedAtDeadline the fuzzer dropped TCP at the case's deadline with the connection still open
 * @param violation a protocol violation by the peer (unmasked client frame, bad framing…), or null
 * @param unimplemented why the case could not run although the connection opened (the peer
 *     declined permessage-deflate), or null
 */
public record Observation(
        boolean opened,
        List<Event> events,
        boolean closedByFuzzer,
        boolean closeSent,
        boolean closeReceived,
        Integer remoteCode,
        boolean peerClosedTcp,
        boolean droppedByFuzzer,
        boolean killedAtDeadline,
        String violation,
        String unimplemented) {

    public Observation {
        events = List.copyOf(events);
    }

    /** An observation of a case that ran. */
    public Observation(boolean opened, List<Event> events, boolean closedByFuzzer, boolean closeSent, boolean closeReceived,
            Integer remoteCode, boolean peerClosedTcp, boolean droppedByFuzzer, boolean killedAtDeadline, String violation) {
        this(opened, events, closedByFuzzer, closeSent, closeReceived, remoteCode, peerClosedTcp, droppedByFuzzer,
                killedAtDeadline, violation, null);
    }

    /** The connection opened but the peer declined what the case tests. */
    public static Observation unimplemented(String why) {
        return new Observation(true, List.of(), true, true, false, null, false, false, false, null, why);
    }

    /** An observation of a connection that never opened. */
    public static Observation notOpened(String why) {
        return new Observation(false, List.of(), false, false, false, null, false, false, false, why);
    }
}
