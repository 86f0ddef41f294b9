package dev.duplex.conformance.cases;

import static dev.duplex.conformance.cases.Payloads.EMPTY;
import static dev.duplex.conformance.cases.Payloads.ascii;
import static dev.duplex.conformance.cases.Payloads.hex;
import static dev.duplex.conformance.cases.Payloads.seconds;

import java.util.ArrayList;
import java.util.List;

/**
 * Autobahn section 3, reserved bits: with no extension negotiated, any RSV bit fails the
 * connection with 1002. Where a valid message comes first, its echo must arrive before the failure.
 */
final class ReservedBitsCases {
    private static final String HELLO = "Hello, world!";

    private ReservedBitsCases() {
    }

    static List<AutobahnCase> all() {
        List<AutobahnCase> c = new ArrayList<>();
        c.add(alone("3.1", "text frame with RSV=1", Frame.text(HELLO).withRsv(1)));
        c.add(afterEcho("3.2", "echo of a text message, then a text frame with RSV=2, then a ping", 2, 0));
        c.add(afterEcho("3.3", "as 3.2 with RSV=3, each frame written on its own", 3, -1));
        c.add(afterEcho("3.4", "as 3.2 with RSV=4, written octet by octet", 4, 1));
        c.add(alone("3.5", "binary frame with RSV=5", Frame.binary(hex("00fffefdfcfb00ff")).withRsv(5)));
        // Autobahn's description says "Ping", but the frame it sends is binary; we send what it sends.
        c.add(alone("3.6", "binary frame with RSV=6", Frame.binary(ascii(HELLO)).withRsv(6)));
        c.add(alone("3.7", "close frame with RSV=7", Frame.of(Frame.CLOSE, true, EMPTY).withRsv(7)));
        return c;
    }

    private static AutobahnCase alone(String id, String what, Frame frame) {
        return new AutobahnCase(id, what + ": the peer fails with 1002", () -> Script.builder()
                .send(frame)
                .close(CloseExpectation.peerFails(1002))
                .killAfter(seconds(1))
                .build());
    }

    private static AutobahnCase afterEcho(String id, String what, int rsv, int mode) {
        return new AutobahnCase(id, what + ": the peer fails with 1002, no pong", () -> Script.builder()
                .send(Frame.text(HELLO), mode)
                .send(Frame.text(HELLO).withRsv(rsv), mode)
                .send(Frame.ping(EMPTY), mode)
                .expect(Verdict.OK, Event.text(HELLO))
                .expect(Verdict.NON_STRICT)
                .close(CloseExpectation.peerFails(1002))
                .killAfter(seconds(1))
                .build());
    }
}
