package dev.duplex.conformance.cases;

import static dev.duplex.conformance.cases.Payloads.filled;
import static dev.duplex.conformance.cases.Payloads.seconds;

import java.util.ArrayList;
import java.util.List;

/** Autobahn section 1, framing: text (1.1) and binary (1.2) messages of the lengths around each header size. */
final class FramingCases {
    private static final int[] LENGTHS = {0, 125, 126, 127, 128, 65535, 65536, 65536};

    private FramingCases() {
    }

    static List<AutobahnCase> all() {
        List<AutobahnCase> cases = new ArrayList<>();
        for (int sub = 1; sub <= 2; sub++) {
            boolean text = sub == 1;
            for (int i = 0; i < LENGTHS.length; i++) {
                int length = LENGTHS[i];
                int chop = i == 7 ? 997 : 0;
                String what = (text ? "text" : "binary") + " message of " + length + " octets" + (chop > 0 ? " written in chops of 997" : "");
                cases.add(new AutobahnCase("1." + sub + "." + (i + 1), what + ", expect the echo", () -> {
                    byte[] payload = filled(text ? '*' : 0xfe, length);
                    Frame frame = text ? Frame.text(payload) : Frame.binary(payload);
                    return Script.builder()
                            .send(frame, chop)
                            .expect(Verdict.OK, text ? Event.text(payload) : Event.binary(payload))
                            .close(CloseExpectation.normal())
                            .killAfter(seconds(length > 128 ? 10 : 1))
                            .build();
                }));
            }
        }
        return cases;
    }
}
