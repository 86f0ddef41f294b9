package dev.duplex.conformance.cases;

import static dev.duplex.conformance.cases.Payloads.EMPTY;
import static dev.duplex.conformance.cases.Payloads.ascii;
import static dev.duplex.conformance.cases.Payloads.filled;
import static dev.duplex.conformance.cases.Payloads.hex;
import static dev.duplex.conformance.cases.Payloads.seconds;

import java.util.ArrayList;
import java.util.List;

/** Autobahn section 2, pings and pongs: each ping answered by a pong with its payload; unsolicited pongs ignored. */
final class PingPongCases {
    private PingPongCases() {
    }

    static List<AutobahnCase> all() {
        List<AutobahnCase> c = new ArrayList<>();
        c.add(pingCase("2.1", "ping without payload", EMPTY, 0));
        c.add(pingCase("2.2", "ping with a short text payload", ascii("Hello, world!"), 0));
        c.add(pingCase("2.3", "ping with a short binary payload", hex("00fffefdfcfb00ff"), 0));
        c.add(pingCase("2.4", "ping with 125 octets", filled(0xfe, 125), 0));
        c.add(new AutobahnCase("2.5", "ping with 126 octets: the peer fails with 1002", () -> Script.builder()
                .send(Frame.ping(filled(0xfe, 126)))
                .close(CloseExpectation.peerFails(1002))
                .killAfter(seconds(1))
                .build()));
        c.add(pingCase("2.6", "ping with 125 octets written octet by octet", filled(0xfe, 125), 1));
        c.add(new AutobahnCase("2.7", "unsolicited pong without payload, then close: nothing answers the pong", () -> Script.builder()
                .send(Frame.pong(EMPTY))
                .sendClose(Frame.close(1000))
                .close(CloseExpectation.normal())
                .closeAfter(seconds(1))
                .build()));
        c.add(new AutobahnCase("2.8", "unsolicited pong with payload, then close: nothing answers the pong", () -> Script.builder()
                .send(Frame.pong(ascii("unsolicited pong payload")))
                .sendClose(Frame.close(1000))
                .close(CloseExpectation.normal())
                .closeAfter(seconds(1))
                .build()));
        c.add(new AutobahnCase("2.9", "unsolicited pong, then a ping: only the ping is answered", () -> Script.builder()
                .send(Frame.pong(ascii("unsolicited pong payload")))
                .send(Frame.ping(ascii("ping payload")))
                .expect(Verdict.OK, Event.pong("ping payload"))
                .close(CloseExpectation.normal())
                .closeAfter(seconds(1))
                .build()));
        c.add(tenPings("2.10", "ten pings with payloads, each answered in order", 0));
        c.add(tenPings("2.11", "ten pings with payloads written octet by octet, each answered in order", 1));
        return c;
    }

    private static AutobahnCase pingCase(String id, String what, byte[] payload, int chop) {
        return new AutobahnCase(id, what + ", expect a pong with the same payload", () -> Script.builder()
                .send(Frame.ping(payload), chop)
                .expect(Verdict.OK, Event.pong(payload))
                .close(CloseExpectation.normal())
                .closeAfter(seconds(chop > 0 ? 2 : 1))
                .build());
    }

    private static AutobahnCase tenPings(String id, String what, int chop) {
        return new AutobahnCase(id, what, () -> {
            Script.Builder b = Script.builder();
            List<Event> pongs = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                byte[] payload = ascii("payload-" + i);
                b.send(Frame.ping(payload), chop);
                pongs.add(Event.pong(payload));
            }
            return b.expect(Verdict.OK, pongs).close(CloseExpectation.normal()).closeAfter(seconds(3)).build();
        });
    }
}
