package dev.duplex.conformance.cases;

import static dev.duplex.conformance.cases.Payloads.ascii;
import static dev.duplex.conformance.cases.Payloads.seconds;

import java.util.ArrayList;
import java.util.List;

/**
 * Autobahn section 5, fragmentation: fragmented messages are reassembled (with control frames
 * in between); fragmented control frames and continuations with nothing to continue fail with 1002.
 * Modes: 0 one write, -1 each frame written on its own, 1 octet by octet.
 */
final class FragmentationCases {
    private static final String[] MODE_NAMES = {"at once", "frame by frame", "octet by octet"};
    private static final int[] MODES = {0, -1, 1};

    private FragmentationCases() {
    }

    static List<AutobahnCase> all() {
        List<AutobahnCase> c = new ArrayList<>();
        c.add(fails("5.1", "ping fragmented into 2 frames", 0,
                Frame.of(Frame.PING, false, ascii("fragment1")), Frame.continuation(true, ascii("fragment2"))));
        c.add(fails("5.2", "pong fragmented into 2 frames", 0,
                Frame.of(Frame.PONG, false, ascii("fragment1")), Frame.continuation(true, ascii("fragment2"))));
        for (int m = 0; m < 3; m++) {
            int mode = MODES[m];
            c.add(new AutobahnCase("5." + (3 + m), "text message in 2 fragments, sent " + MODE_NAMES[m] + ", expect the echo",
                    () -> Script.builder()
                            .send(Frame.of(Frame.TEXT, false, ascii("fragment1")), mode)
                            .send(Frame.continuation(true, ascii("fragment2")), mode)
                            .expect(Verdict.OK, Event.text("fragment1fragment2"))
                            .close(CloseExpectation.normal())
                            .closeAfter(seconds(1))
                            .build()));
        }
        for (int m = 0; m < 3; m++) {
            int mode = MODES[m];
            c.add(new AutobahnCase("5." + (6 + m), "text message in 2 fragments with a ping between, sent " + MODE_NAMES[m]
                    + ", expect the pong then the echo", () -> Script.builder()
                            .send(Frame.of(Frame.TEXT, false, ascii("fragment1")), mode)
                            .send(Frame.ping(ascii("ping payload")), mode)
                            .send(Frame.continuation(true, ascii("fragment2")), mode)
                            .expect(Verdict.OK, Event.pong("ping payload"), Event.text("fragment1fragment2"))
                            .close(CloseExpectation.normal())
                            .closeAfter(seconds(1))
                            .build()));
        }
        for (int m = 0; m < 3; m++) {
            c.add(fails("5." + (9 + m), "continuation (FIN set) with nothing to continue, then a text message, sent " + MODE_NAMES[m],
                    MODES[m], Frame.continuation(true, ascii("non-continuation payload")), Frame.text("Hello, world!")));
        }
        for (int m = 0; m < 3; m++) {
            c.add(fails("5." + (12 + m), "continuation (FIN clear) with nothing to continue, then a text message, sent " + MODE_NAMES[m],
                    MODES[m], Frame.continuation(false, ascii("non-continuation payload")), Frame.text("Hello, world!")));
        }
        c.add(new AutobahnCase("5.15", "text message in 2 fragments, then a continuation with nothing to continue, then text:"
                + " echo, then the peer fails with 1002", () -> Script.builder()
                        .send(Frame.of(Frame.TEXT, false, ascii("fragment1")))
                        .send(Frame.continuation(true, ascii("fragment2")))
                        .send(Frame.continuation(false, ascii("fragment3")))
                        .send(Frame.text("fragment4"))
                        .expect(Verdict.OK, Event.text("fragment1fragment2"))
                        .expect(Verdict.NON_STRICT)
                        .close(CloseExpectation.peerFails(1002))
                        .killAfter(seconds(1))
                        .build()));
        c.add(fails("5.16", "twice: a continuation (FIN clear) with nothing to continue, then a 2-fragment text message", 0,
                twice(Frame.continuation(false, ascii("fragment1")), Frame.of(Frame.TEXT, false, ascii("fragment2")),
                        Frame.continuation(true, ascii("fragment3")))));
        c.add(fails("5.17", "twice: a continuation (FIN set) with nothing to continue, then a 2-fragment text message", 0,
                twice(Frame.continuation(true, ascii("fragment1")), Frame.of(Frame.TEXT, false, ascii("fragment2")),
                        Frame.continuation(true, ascii("fragment3")))));
        c.add(fails("5.18", "text message in 2 fragments, both with the text opcode", 0,
                Frame.of(Frame.TEXT, false, ascii("fragment1")), Frame.text("fragment2")));
        c.add(pausedFragments("5.19", 0));
        c.add(pausedFragments("5.20", -1));
        return c;
    }

    private static Frame[] twice(Frame... frames) {
        Frame[] out = new Frame[frames.length * 2];
        System.arraycopy(frames, 0, out, 0, frames.length);
        System.arraycopy(frames, 0, out, frames.length, frames.length);
        return out;
    }

    private static AutobahnCase fails(String id, String what, int mode, Frame... frames) {
        return new AutobahnCase(id, what + ": the peer fails with 1002", () -> {
            Script.Builder b = Script.builder();
            for (Frame f : frames) {
                b.send(f, mode);
            }
            return b.close(CloseExpectation.peerFails(1002)).killAfter(seconds(1)).build();
        });
    }

    /** A text message in 5 fragments with 2 pings between and a 1 s pause in the middle: pongs come at once. */
    private static AutobahnCase pausedFragments(String id, int mode) {
        String how = mode < 0 ? ", each frame written on its own" : "";
        return new AutobahnCase(id, "text message in 5 fragments with pings between and a 1 s pause" + how
                + ": each pong at once, then the echo", () -> Script.builder()
                        .send(Frame.of(Frame.TEXT, false, ascii("fragment1")), mode)
                        .send(Frame.continuation(false, ascii("fragment2")), mode)
                        .send(Frame.ping(ascii("pongme 1!")), mode)
                        .pause(seconds(1))
                        .send(Frame.continuation(false, ascii("fragment3")), mode)
                        .send(Frame.continuation(false, ascii("fragment4")), mode)
                        .send(Frame.ping(ascii("pongme 2!")), mode)
                        .send(Frame.continuation(true, ascii("fragment5")), mode)
                        .expect(Verdict.OK, Event.pong("pongme 1!"), Event.pong("pongme 2!"),
                                Event.text("fragment1fragment2fragment3fragment4fragment5"))
                        .close(CloseExpectation.normal())
                        .closeAfter(seconds(1))
                        .build());
    }
}
