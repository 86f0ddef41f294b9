package dev.duplex.conformance.cases;

import static dev.duplex.conformance.cases.Payloads.ascii;
import static dev.duplex.conformance.cases.Payloads.filled;
import static dev.duplex.conformance.cases.Payloads.repeated;
import static dev.duplex.conformance.cases.Payloads.seconds;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Autobahn section 9, limits and performance, at their real sizes: single-frame messages up to
 * 16 MiB (9.1 text, 9.2 binary), 4 MiB messages in fragments of 64 octets to 4 MiB (9.3, 9.4),
 * 1 MiB frames written in chops of 64 to 2048 octets (9.5, 9.6), and 1,000 sequential round
 * trips of 0 to 4096 octets (9.7 text, 9.8 binary). Autobahn checks only the echo's type and
 * length; we check its bytes too. The waits are Autobahn's; they matter only when a case fails.
 */
final class LimitsCases {
    private static final int KIB = 1024;
    private static final int MIB = 1024 * 1024;
    private static final byte[] TEXT_PATTERN = ascii("BAsd7&jh23");
    private static final byte[] BINARY_PATTERN = {0x00, (byte) 0xfe, 0x23, (byte) 0xfa, (byte) 0xf0};

    private LimitsCases() {
    }

    static List<AutobahnCase> all() {
        List<AutobahnCase> c = new ArrayList<>();
        int[] sizes = {64 * KIB, 256 * KIB, MIB, 4 * MIB, 8 * MIB, 16 * MIB};
        int[] textWait = {10, 10, 100, 100, 100, 100};
        int[] binaryWait = {10, 10, 10, 10, 100, 100};
        for (int i = 0; i < sizes.length; i++) {
            c.add(single("9.1." + (i + 1), true, sizes[i], 0, textWait[i]));
        }
        for (int i = 0; i < sizes.length; i++) {
            c.add(single("9.2." + (i + 1), false, sizes[i], 0, binaryWait[i]));
        }
        int[] fragments = {64, 256, KIB, 4 * KIB, 16 * KIB, 64 * KIB, 256 * KIB, MIB, 4 * MIB};
        for (int sub = 3; sub <= 4; sub++) {
            boolean text = sub == 3;
            for (int i = 0; i < fragments.length; i++) {
                c.add(fragmented("9." + sub + "." + (i + 1), text, fragments[i]));
            }
        }
        int[] chops = {64, 128, 256, 512, 1024, 2048};
        for (int sub = 5; sub <= 6; sub++) {
            for (int i = 0; i < chops.length; i++) {
                c.add(single("9." + sub + "." + (i + 1), sub == 5, MIB, chops[i], 1000));
            }
        }
        int[] lengths = {0, 16, 64, 256, 1024, 4096};
        int[] waits = {60, 60, 60, 120, 240, 480};
        for (int sub = 7; sub <= 8; sub++) {
            for (int i = 0; i < lengths.length; i++) {
                c.add(roundTrips("9." + sub + "." + (i + 1), sub == 7, lengths[i], waits[i]));
            }
        }
        return c;
    }

    private static String size(int bytes) {
        return bytes >= MIB ? bytes / MIB + " MiB" : bytes >= KIB ? bytes / KIB + " KiB" : bytes + " octets";
    }

    private static AutobahnCase single(String id, boolean text, int length, int chop, int waitSeconds) {
        String what = (text ? "text" : "binary") + " message of " + size(length) + " in one frame"
                + (chop > 0 ? ", written in chops of " + chop + " octets" : "") + ", expect the echo";
        return new AutobahnCase(id, what, () -> {
            byte[] payload = repeated(text ? TEXT_PATTERN : BINARY_PATTERN, length);
            return Script.builder()
                    .send(text ? Frame.text(payload) : Frame.binary(payload), chop)
                    .expect(Verdict.OK, text ? Event.text(payload) : Event.binary(payload))
                    .close(CloseExpectation.normal())
                    .closeAfter(seconds(waitSeconds))
                    .build();
        });
    }

    private static AutobahnCase fragmented(String id, boolean text, int fragmentSize) {
        return new AutobahnCase(id, (text ? "text" : "binary") + " message of 4 MiB in fragments of " + size(fragmentSize) + ", expect the echo",
                () -> {
                    byte[] payload = filled(text ? '*' : 0xfe, 4 * MIB);
                    return Script.builder()
                            .sendMessage(text, payload, fragmentSize)
                            .expect(Verdict.OK, text ? Event.text(payload) : Event.binary(payload))
                            .close(CloseExpectation.normal())
                            .closeAfter(seconds(100))
                            .build();
                });
    }

    private static AutobahnCase roundTrips(String id, boolean text, int length, int waitSeconds) {
        return new AutobahnCase(id, "1000 " + (text ? "text" : "binary") + " messages of " + length + " octets, one at a time, each echoed",
                () -> {
                    byte[] payload = filled(text ? '*' : 0xfe, length);
                    Event echo = text ? Event.text(payload) : Event.binary(payload);
                    return Script.builder()
                            .roundTrips(text ? Frame.text(payload) : Frame.binary(payload), 1000)
                            .expect(Verdict.OK, Collections.nCopies(1000, echo))
                            .close(CloseExpectation.normal())
                            .closeAfter(seconds(waitSeconds))
                            .build();
                });
    }
}
