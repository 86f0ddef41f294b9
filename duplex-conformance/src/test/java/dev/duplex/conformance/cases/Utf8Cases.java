package dev.duplex.conformance.cases;

import static dev.duplex.conformance.cases.Payloads.EMPTY;
import static dev.duplex.conformance.cases.Payloads.ascii;
import static dev.duplex.conformance.cases.Payloads.concat;
import static dev.duplex.conformance.cases.Payloads.hex;
import static dev.duplex.conformance.cases.Payloads.seconds;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Autobahn section 6, UTF-8: valid text echoed however it is fragmented; invalid text fails the
 * connection with 1007, and (6.4) fails fast: as soon as the octet that makes it invalid arrives,
 * not when the frame or message ends.
 */
final class Utf8Cases {
    private static final byte[] HELLO_UTF8 = Frame.utf8("Hello-\u00b5@\u00df\u00f6\u00e4\u00fc\u00e0\u00e1-UTF-8!!");
    /** κόσμε, then U+D800 encoded (a surrogate, invalid exactly at its second octet), then "edited". */
    private static final byte[] KOSME_SURROGATE = concat(Utf8Sequences.KOSME, hex("eda080"), ascii("edited"));
    /** κόσμε, then 0x110000 encoded (beyond Unicode, invalid at its second octet), then "edited". */
    private static final byte[] KOSME_BEYOND = concat(Utf8Sequences.KOSME, hex("f4908080"), ascii("edited"));

    private Utf8Cases() {
    }

    static List<AutobahnCase> all() {
        List<AutobahnCase> c = new ArrayList<>();
        c.add(echo("6.1.1", "empty text message", List.of(Frame.text(EMPTY)), EMPTY));
        c.add(echo("6.1.2", "text message in 3 empty fragments",
                List.of(Frame.of(Frame.TEXT, false, EMPTY), Frame.continuation(false, EMPTY), Frame.continuation(true, EMPTY)), EMPTY));
        byte[] middle = ascii("middle frame payload");
        c.add(echo("6.1.3", "text message in 3 fragments, only the middle one non-empty",
                List.of(Frame.of(Frame.TEXT, false, EMPTY), Frame.continuation(false, middle), Frame.continuation(true, EMPTY)), middle));

        c.add(echo("6.2.1", "valid UTF-8 text in one frame", List.of(Frame.text(HELLO_UTF8)), HELLO_UTF8));
        byte[] first = Frame.utf8("Hello-\u00b5@\u00df\u00f6\u00e4");
        byte[] second = Arrays.copyOfRange(HELLO_UTF8, first.length, HELLO_UTF8.length);
        c.add(echo("6.2.2", "valid UTF-8 text in 2 fragments split on a code point boundary",
                List.of(Frame.of(Frame.TEXT, false, first), Frame.continuation(true, second)), HELLO_UTF8));
        c.add(echoFragmented("6.2.3", "valid UTF-8 text in fragments of 1 octet, splitting code points", HELLO_UTF8));
        c.add(echoFragmented("6.2.4", "valid UTF-8 (κόσμε) in fragments of 1 octet, splitting code points", Utf8Sequences.KOSME));

        c.add(invalidMessage("6.3.1", "invalid UTF-8 (a surrogate) in one frame", KOSME_SURROGATE, KOSME_SURROGATE.length));
        c.add(invalidMessage("6.3.2", "invalid UTF-8 (a surrogate) in fragments of 1 octet", KOSME_SURROGATE, 1));

        c.add(failFastFrames("6.4.1", "3 frames; the 2nd holds the whole invalid sequence", 11, 15));
        c.add(failFastFrames("6.4.2", "3 frames; the 2nd is just the octet that makes it invalid", 12, 13));
        c.add(failFastChops("6.4.3", "one frame in 3 parts; the 2nd holds the whole invalid sequence", 11, 15));
        c.add(failFastChops("6.4.4", "one frame in 3 parts; the 2nd is just the octet that makes it invalid", 12, 13));

        int section = 5;
        for (Utf8Sequences.Group group : Utf8Sequences.groups()) {
            int n = 1;
            for (Utf8Sequences.Sample s : group.samples()) {
                c.add(sample("6." + section + "." + n, group.title(), s));
                n++;
            }
            section++;
        }
        return c;
    }

    private static AutobahnCase echo(String id, String what, List<Frame> frames, byte[] expected) {
        return new AutobahnCase(id, what + ", expect the echo", () -> {
            Script.Builder b = Script.builder();
            frames.forEach(b::send);
            return b.expect(Verdict.OK, Event.text(expected)).close(CloseExpectation.normal()).closeAfter(seconds(1)).build();
        });
    }

    private static AutobahnCase echoFragmented(String id, String what, byte[] text) {
        return new AutobahnCase(id, what + ", expect the echo", () -> Script.builder()
                .sendMessage(true, text, 1)
                .expect(Verdict.OK, Event.text(text))
                .close(CloseExpectation.normal())
                .closeAfter(seconds(1))
                .build());
    }

    private static AutobahnCase invalidMessage(String id, String what, byte[] text, int fragmentSize) {
        return new AutobahnCase(id, what + ": the peer fails with 1007", () -> Script.builder()
                .sendMessage(true, text, fragmentSize)
                .close(CloseExpectation.peerFails(1007).fatalIfWrongEndpoint())
                .killAfter(seconds(1))
                .build());
    }

    /** Frames [0, cut1), [cut1, cut2), [cut2, end) of {@link #KOSME_BEYOND}, 1 s apart: fail on the 2nd. */
    private static AutobahnCase failFastFrames(String id, String what, int cut1, int cut2) {
        byte[] p = KOSME_BEYOND;
        return new AutobahnCase(id, "invalid UTF-8 in " + what + ": the peer fails with 1007 before the 3rd", () -> failFast(Script.builder()
                .send(Frame.of(Frame.TEXT, false, Arrays.copyOfRange(p, 0, cut1)))
                .waitOpen(seconds(1), "A")
                .send(Frame.continuation(false, Arrays.copyOfRange(p, cut1, cut2)))
                .waitOpen(seconds(1), "B")
                .send(Frame.continuation(true, Arrays.copyOfRange(p, cut2, p.length)))));
    }

    /** One frame of {@link #KOSME_BEYOND} written as 3 slices 1 s apart: fail before the frame is complete. */
    private static AutobahnCase failFastChops(String id, String what, int cut1, int cut2) {
        byte[] p = KOSME_BEYOND;
        Frame frame = Frame.text(p);
        return new AutobahnCase(id, "invalid UTF-8 in " + what + ": the peer fails with 1007 before the frame ends", () -> failFast(Script.builder()
                .sendSlice(frame, 0, cut1)
                .waitOpen(seconds(1), "A")
                .sendSlice(frame, cut1, cut2)
                .waitOpen(seconds(1), "B")
                .sendSlice(frame, cut2, p.length)));
    }

    private static Script failFast(Script.Builder b) {
        return b.expect(Verdict.OK, Event.timeout("A"))
                .expect(Verdict.NON_STRICT, Event.timeout("A"), Event.timeout("B"))
                .close(CloseExpectation.peerFails(1007).fatalIfWrongEndpoint())
                .killAfter(seconds(1))
                .build();
    }

    private static AutobahnCase sample(String id, String group, Utf8Sequences.Sample s) {
        String hex = HexFormat.of().formatHex(s.bytes());
        if (hex.length() > 24) {
            hex = hex.substring(0, 24) + "…";
        }
        String what = group + ": " + hex + (s.valid() ? " is valid, expect the echo" : " is invalid, the peer fails with 1007");
        return new AutobahnCase(id, what, () -> {
            Script.Builder b = Script.builder().send(Frame.text(s.bytes()));
            if (s.valid()) {
                b.expect(Verdict.OK, Event.text(s.bytes())).close(CloseExpectation.normal());
            } else {
                b.close(CloseExpectation.peerFails(1007).fatalIfWrongEndpoint());
            }
            return b.killAfter(seconds(0.5)).build();
        });
    }
}
