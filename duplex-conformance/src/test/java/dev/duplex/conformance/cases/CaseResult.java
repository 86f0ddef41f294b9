package dev.duplex.conformance.cases;

/**
 * The result of one case run.
 *
 * @param id the Autobahn case id
 * @param verdict the combined verdict
 * @param behavior Autobahn's "behaviour": which expected event list matched
 * @param closeBehavior Autobahn's "closing behaviour"
 * @param detail what differed, or a short summary when nothing did
 * @param millis how long the case took
 */
public record CaseResult(String id, Verdict verdict, Verdict behavior, CloseBehavior closeBehavior, String detail, long millis) {

    /** "6.4.3 OK (1012 ms): …". */
    public String summary() {
        return id + " " + verdict.label() + " (" + millis + " ms): " + detail;
    }
}
