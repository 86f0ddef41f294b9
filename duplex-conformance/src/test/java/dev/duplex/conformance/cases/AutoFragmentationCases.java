package dev.duplex.conformance.cases;

import static dev.duplex.conformance.cases.Payloads.filled;
import static dev.duplex.conformance.cases.Payloads.seconds;

import java.util.List;

/** Autobahn section 10: a 64 KiB text message auto-fragmented by the fuzzer into 1300-octet frames is echoed whole. */
final class AutoFragmentationCases {
    private AutoFragmentationCases() {
    }

    static List<AutobahnCase> all() {
        return List.of(new AutobahnCase("10.1.1", "64 KiB text message sent in fragments of 1300 octets, expect the echo", () -> {
            byte[] payload = filled('*', 65536);
            return Script.builder()
                    .sendMessage(true, payload, 1300)
                    .expect(Verdict.OK, Event.text(payload))
                    .close(CloseExpectation.normal())
                    .killAfter(seconds(10))
                    .build();
        }));
    }
}
