package dev.duplex.conformance.cases;

import java.util.Set;

/**
 * How a case must end (Autobahn's {@code expectedClose}).
 *
 * @param closedByFuzzer true when the fuzzing peer starts the close handshake (the peer under test
 *     only answers it); false when the peer under test must fail the connection itself, by a close
 *     frame or by dropping TCP
 * @param codes the close codes the peer under test may send; an empty close frame or none at all
 *     is accepted too, as in Autobahn
 * @param requireClean the close handshake must complete and TCP be closed by the server
 * @param wrongEndpointIsFatal closing by the wrong side fails the case's events too (UTF-8 cases:
 *     a peer that never failed never noticed the invalid UTF-8)
 */
public record CloseExpectation(boolean closedByFuzzer, Set<Integer> codes, boolean requireClean, boolean wrongEndpointIsFatal) {
    public CloseExpectation {
        codes = Set.copyOf(codes);
    }

    /** The fuzzer closes with 1000 once it has seen what it expects; a clean close is required. */
    public static CloseExpectation normal() {
        return new CloseExpectation(true, Set.of(1000), true, false);
    }

    /** The peer under test must fail the connection with one of {@code codes} (or just drop TCP). */
    public static CloseExpectation peerFails(Integer... codes) {
        return new CloseExpectation(false, Set.copyOf(java.util.List.of(codes)), false, false);
    }

    /** The fuzzer sends a close the peer must answer with one of {@code codes}. */
    public static CloseExpectation fuzzerCloses(boolean requireClean, Integer... codes) {
        return new CloseExpectation(true, Set.copyOf(java.util.List.of(codes)), requireClean, false);
    }

    public CloseExpectation fatalIfWrongEndpoint() {
        return new CloseExpectation(closedByFuzzer, codes, requireClean, true);
    }
}
