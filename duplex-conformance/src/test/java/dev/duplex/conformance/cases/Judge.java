package dev.duplex.conformance.cases;

import java.util.List;
import java.util.Map;

/**
 * Turns an {@link Observation} into a verdict the way Autobahn's fuzzer does, with two stricter
 * rules: a case is OK only if its closing behaviour is OK too, and when the peer had to fail the
 * connection but the fuzzer had to kill it at the deadline, the closing behaviour is FAILED
 * (Autobahn lets that pass when it plays the server). Stateless.
 */
public final class Judge {

    /** Which side the fuzzer plays. */
    public enum FuzzerRole {
        /** The fuzzer is the client: the peer under test is a server and must close TCP first. */
        CLIENT,
        /** The fuzzer is the server: it closes TCP once the close handshake is done. */
        SERVER
    }

    private Judge() {
    }

    public static CaseResult judge(String id, Script script, Observation o, FuzzerRole role, long millis) {
        if (!o.opened()) {
            return new CaseResult(id, Verdict.FAILED, Verdict.FAILED, CloseBehavior.FAILED,
                    "The opening handshake never completed: " + o.violation(), millis);
        }
        if (o.unimplemented() != null) {
            return new CaseResult(id, Verdict.UNIMPLEMENTED, Verdict.UNIMPLEMENTED, CloseBehavior.OK, o.unimplemented(), millis);
        }
        Verdict behavior = Verdict.FAILED;
        for (Map.Entry<Verdict, List<Event>> e : script.expected().entrySet()) {
            if (e.getValue().equals(o.events())) {
                behavior = e.getKey();
                break;
            }
        }
        StringBuilder detail = new StringBuilder();
        if (behavior == Verdict.FAILED) {
            detail.append("events ").append(brief(o.events())).append(", expected ").append(brief(script.expectedOk())).append("; ");
        }
        if (o.violation() != null) {
            behavior = Verdict.FAILED;
            detail.append("peer violated the protocol: ").append(o.violation()).append("; ");
        }

        CloseExpectation exp = script.close();
        boolean clean = o.closeSent() && o.closeReceived()
                && (role == FuzzerRole.SERVER || (o.peerClosedTcp() && !o.droppedByFuzzer()));
        CloseBehavior close;
        if (exp.closedByFuzzer() != o.closedByFuzzer()) {
            close = CloseBehavior.FAILED;
            detail.append(exp.closedByFuzzer() ? "the peer closed first, the fuzzer should have; "
                    : "the peer never failed the connection, the fuzzer closed it; ");
        } else if (exp.requireClean() && !clean) {
            close = CloseBehavior.UNCLEAN;
            detail.append("unclean close (close sent ").append(o.closeSent()).append(", received ").append(o.closeReceived())
                    .append(", peer closed TCP ").append(o.peerClosedTcp()).append("); ");
        } else if (o.remoteCode() != null && !exp.codes().contains(o.remoteCode())) {
            close = CloseBehavior.WRONG_CODE;
            detail.append("close code ").append(o.remoteCode()).append(", expected one of ").append(exp.codes()).append("; ");
        } else if (role == FuzzerRole.CLIENT && o.droppedByFuzzer()) {
            close = CloseBehavior.FAILED_BY_CLIENT;
            detail.append(o.killedAtDeadline() ? "the server never closed the connection, the fuzzer dropped it at the deadline; "
                    : "the server did not close TCP after the close handshake; ");
        } else if (!exp.closedByFuzzer() && o.killedAtDeadline()) {
            close = CloseBehavior.FAILED;
            detail.append("the peer never failed the connection; the fuzzer dropped it at the deadline; ");
        } else {
            close = CloseBehavior.OK;
        }
        if (exp.wrongEndpointIsFatal() && exp.closedByFuzzer() != o.closedByFuzzer()) {
            behavior = Verdict.FAILED;
        }

        Verdict verdict;
        if (script.informational()) {
            verdict = behavior == Verdict.OK && close == CloseBehavior.OK ? Verdict.OK : Verdict.INFORMATIONAL;
        } else if (behavior == Verdict.FAILED || close != CloseBehavior.OK) {
            verdict = Verdict.FAILED;
        } else {
            verdict = behavior;
        }
        if (detail.length() == 0) {
            detail.append(brief(o.events())).append(", closed with ").append(o.remoteCode() == null ? "no code" : o.remoteCode())
                    .append(o.closedByFuzzer() ? " (fuzzer closed)" : " (peer closed)");
            if (behavior == Verdict.NON_STRICT) {
                detail.append(", matched the NON-STRICT expectation ").append(brief(script.expected().get(Verdict.NON_STRICT)));
            }
        } else {
            detail.setLength(detail.length() - 2);
        }
        return new CaseResult(id, verdict, behavior, close, detail.toString(), millis);
    }

    /** At most five events, then a count. */
    static String brief(List<Event> events) {
        if (events.size() <= 5) {
            return events.toString();
        }
        return events.subList(0, 5) + "+" + (events.size() - 5) + " more";
    }
}
