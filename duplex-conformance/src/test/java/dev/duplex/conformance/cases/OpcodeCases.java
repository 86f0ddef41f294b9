package dev.duplex.conformance.cases;

import static dev.duplex.conformance.cases.Payloads.EMPTY;
import static dev.duplex.conformance.cases.Payloads.ascii;
import static dev.duplex.conformance.cases.Payloads.seconds;

import java.util.ArrayList;
import java.util.List;

/** Autobahn section 4, reserved opcodes: non-control 3–7 (4.1) and control 11–15 (4.2) fail with 1002. */
final class OpcodeCases {
    private static final String HELLO = "Hello, world!";

    private OpcodeCases() {
    }

    static List<AutobahnCase> all() {
        List<AutobahnCase> c = new ArrayList<>();
        for (int sub = 1; sub <= 2; sub++) {
            int base = sub == 1 ? 3 : 11;
            String kind = sub == 1 ? "non-control" : "control";
            String prefix = "4." + sub + ".";
            c.add(alone(prefix + 1, "reserved " + kind + " opcode " + base, Frame.of(base, true, EMPTY)));
            c.add(alone(prefix + 2, "reserved " + kind + " opcode " + (base + 1) + " with payload",
                    Frame.of(base + 1, true, ascii("reserved opcode payload"))));
            c.add(afterEcho(prefix + 3, "text message, then reserved " + kind + " opcode " + (base + 2) + ", then a ping",
                    Frame.of(base + 2, true, EMPTY), 0));
            c.add(afterEcho(prefix + 4, "text message, then reserved " + kind + " opcode " + (base + 3) + " with payload, then a ping",
                    Frame.of(base + 3, true, ascii(HELLO)), 0));
            c.add(afterEcho(prefix + 5, "as " + prefix + "4 with opcode " + (base + 4) + ", written octet by octet",
                    Frame.of(base + 4, true, ascii(HELLO)), 1));
        }
        return c;
    }

    private static AutobahnCase alone(String id, String what, Frame frame) {
        return new AutobahnCase(id, what + ": the peer fails with 1002", () -> Script.builder()
                .send(frame)
                .close(CloseExpectation.peerFails(1002))
                .killAfter(seconds(1))
                .build());
    }

    private static AutobahnCase afterEcho(String id, String what, Frame bad, int chop) {
        return new AutobahnCase(id, what + ": echo, then the peer fails with 1002, no pong", () -> Script.builder()
                .send(Frame.text(HELLO), chop)
                .send(bad, chop)
                .send(Frame.ping(EMPTY), chop)
                .expect(Verdict.OK, Event.text(HELLO))
                .expect(Verdict.NON_STRICT)
                .close(CloseExpectation.peerFails(1002))
                .killAfter(seconds(1))
                .build());
    }
}
