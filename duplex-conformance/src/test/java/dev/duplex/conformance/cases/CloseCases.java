package dev.duplex.conformance.cases;

import static dev.duplex.conformance.cases.Payloads.EMPTY;
import static dev.duplex.conformance.cases.Payloads.ascii;
import static dev.duplex.conformance.cases.Payloads.filled;
import static dev.duplex.conformance.cases.Payloads.hex;
import static dev.duplex.conformance.cases.Payloads.repeated;
import static dev.duplex.conformance.cases.Payloads.seconds;

import java.util.ArrayList;
import java.util.List;

/**
 * Autobahn section 7, close handling, all started by the fuzzer: frames after a close are
 * ignored (7.1), the close payload's length (7.3) and UTF-8 reason (7.5) are checked, valid codes
 * are answered (7.7), invalid ones fail with 1002 (7.9, 7.13).
 */
final class CloseCases {
    private static final int[] VALID_CODES = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999};
    private static final int[] INVALID_CODES = {0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999};

    private CloseCases() {
    }

    static List<AutobahnCase> all() {
        List<AutobahnCase> c = new ArrayList<>();
        c.add(new AutobahnCase("7.1.1", "text message, expect the echo, then a clean close", () -> Script.builder()
                .send(Frame.text("Hello World!"))
                .expect(Verdict.OK, Event.text("Hello World!"))
                .close(CloseExpectation.normal())
                .killAfter(seconds(1))
                .build()));
        c.add(afterClose("7.1.2", "a second close frame", Frame.of(Frame.CLOSE, true, EMPTY)));
        c.add(afterClose("7.1.3", "a ping", Frame.ping(EMPTY)));
        c.add(afterClose("7.1.4", "a text message", Frame.text("Hello World!")));
        c.add(new AutobahnCase("7.1.5", "first fragment of a text message, close, then the last fragment: a clean close, nothing echoed",
                () -> Script.builder()
                        .send(Frame.of(Frame.TEXT, false, ascii("fragment1")))
                        .sendClose(Frame.close(1000))
                        .send(Frame.continuation(true, ascii("fragment2")))
                        .close(CloseExpectation.normal())
                        .suppressClose()
                        .killAfter(seconds(1))
                        .build()));
        c.add(new AutobahnCase("7.1.6", "256 KiB text message, a short one, close, then a ping (informational in Autobahn;"
                + " OK here when both echoes precede a clean close)", () -> {
                    byte[] big = repeated(ascii("BAsd7&jh23"), 256 * 1024);
                    return Script.builder()
                            .send(Frame.text(big))
                            .send(Frame.text("Hello World!"))
                            .sendClose(Frame.close(1000))
                            .send(Frame.ping(EMPTY))
                            .expect(Verdict.OK, Event.text(big), Event.text("Hello World!"))
                            .close(CloseExpectation.normal())
                            .suppressClose()
                            .informational()
                            .killAfter(seconds(1))
                            .build();
                }));

        c.add(closeWith("7.3.1", "close with an empty payload: a clean close",
                Frame.of(Frame.CLOSE, true, EMPTY), CloseExpectation.fuzzerCloses(true, 1000)));
        c.add(closeWith("7.3.2", "close with a 1-octet payload: the peer answers 1002 or drops TCP",
                Frame.of(Frame.CLOSE, true, ascii("a")), CloseExpectation.fuzzerCloses(false, 1002)));
        c.add(closeWith("7.3.3", "close with code 1000: a clean close", Frame.close(1000), CloseExpectation.fuzzerCloses(true, 1000)));
        c.add(closeWith("7.3.4", "close with code 1000 and a reason: a clean close",
                Frame.close(1000, ascii("Hello World!")), CloseExpectation.fuzzerCloses(true, 1000)));
        c.add(closeWith("7.3.5", "close with code 1000 and a 123-octet reason (the most allowed): a clean close",
                Frame.close(1000, filled('*', 123)), CloseExpectation.fuzzerCloses(true, 1000)));
        c.add(closeWith("7.3.6", "close with code 1000 and a 124-octet reason (126-octet payload): the peer answers 1002 or drops TCP",
                Frame.close(1000, filled('*', 124)), CloseExpectation.fuzzerCloses(false, 1002)));
        c.add(closeWith("7.5.1", "close with a reason that is not valid UTF-8: the peer answers 1002 or 1007 or drops TCP",
                Frame.close(1000, hex("cebae1bdb9cf83cebcceb5eda080656469746564")), CloseExpectation.fuzzerCloses(false, 1002, 1007)));
        for (int i = 0; i < VALID_CODES.length; i++) {
            int code = VALID_CODES[i];
            c.add(closeWith("7.7." + (i + 1), "close with valid code " + code + ": a clean close with 1000 or " + code,
                    Frame.close(code), CloseExpectation.fuzzerCloses(true, 1000, code)));
        }
        for (int i = 0; i < INVALID_CODES.length; i++) {
            int code = INVALID_CODES[i];
            c.add(closeWith("7.9." + (i + 1), "close with invalid code " + code + ": the peer answers 1002 or drops TCP",
                    Frame.close(code), CloseExpectation.fuzzerCloses(false, 1002)));
        }
        c.add(outOfRange("7.13.1", 5000));
        c.add(outOfRange("7.13.2", 65535));
        return c;
    }

    private static AutobahnCase afterClose(String id, String what, Frame after) {
        return new AutobahnCase(id, "close, then " + what + ": a clean close, the frame after the close ignored", () -> Script.builder()
                .sendClose(Frame.close(1000))
                .send(after)
                .close(CloseExpectation.normal())
                .suppressClose()
                .killAfter(seconds(1))
                .build());
    }

    private static AutobahnCase closeWith(String id, String what, Frame close, CloseExpectation expectation) {
        return new AutobahnCase(id, what, () -> Script.builder()
                .sendClose(close)
                .close(expectation)
                .suppressClose()
                .killAfter(seconds(1))
                .build());
    }

    /**
     * Autobahn accepts 1000, the code itself or 1002 and reports INFORMATIONAL; RFC 6455 §7.4 gives
     * codes above 4999 no meaning, so we call OK only the answer 1002.
     */
    private static AutobahnCase outOfRange(String id, int code) {
        return new AutobahnCase(id, "close with code " + code + " (informational in Autobahn; OK here when answered with 1002)",
                () -> Script.builder()
                        .sendClose(Frame.close(code))
                        .close(CloseExpectation.fuzzerCloses(false, 1002))
                        .suppressClose()
                        .informational()
                        .killAfter(seconds(1))
                        .build());
    }
}
