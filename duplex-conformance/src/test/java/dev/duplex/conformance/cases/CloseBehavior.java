package dev.duplex.conformance.cases;

/** How the connection ended, judged against a case's {@link CloseExpectation} (Autobahn's "closing behaviour"). */
public enum CloseBehavior {
    /** Closed by the expected side, with an allowed code, cleanly where required. */
    OK,
    /** Closed by the wrong side, never opened, or the peer never failed a connection it had to fail. */
    FAILED,
    /** The close handshake did not complete, or TCP was not closed by the side that should close it. */
    UNCLEAN,
    /** The peer's close code is not one of the allowed codes. */
    WRONG_CODE,
    /** The fuzzing client had to drop TCP after the close handshake: a server must close it first. */
    FAILED_BY_CLIENT
}
