package dev.duplex.conformance.cases;

import static dev.duplex.conformance.cases.Payloads.seconds;

import dev.duplex.conformance.cases.DeflateScenario.Accept;
import dev.duplex.conformance.cases.DeflateScenario.Offer;
import java.util.ArrayList;
import java.util.List;

/**
 * Autobahn sections 12 and 13, permessage-deflate (RFC 7692): message after message, each sent
 * only once the previous echo came back, compressed by the fuzzer and its compressed payload cut
 * into frames of an "auto-fragment" size, for 18 combinations of message length (16 octets to
 * 128 KiB) and fragment size.
 *
 * <ul>
 *   <li>12.1–12.5: five kinds of payload (see {@link CompressionData}) with Autobahn's default
 *       offer ({@code permessage-deflate; client_no_context_takeover; client_max_window_bits}),
 *       accepted as offered;
 *   <li>13.1–13.7: the JSON payload with the parameter combinations of Autobahn's
 *       {@code DEFLATE_PARAMS}: server context takeover and server window asked for by the client
 *       (none, no context takeover, 9 bits, 15 bits, both), the same asked of the client by the
 *       server, and three offers in a row of which the server takes the first it can.
 * </ul>
 *
 * Autobahn sends 1,000 messages per case; {@link AutobahnCases#compression(int)} sends fewer.
 */
final class CompressionCases {
    static final int AUTOBAHN_MESSAGES = 1000;

    /** Autobahn's MSG_SIZES: message length, case timeout in seconds, auto-fragment size (0 = none). */
    private static final int[][] SIZES = {
        {16, 60, 0}, {64, 60, 0}, {256, 120, 0}, {1024, 240, 0}, {4096, 480, 0}, {8192, 480, 0}, {16384, 480, 0},
        {32768, 480, 0}, {65536, 480, 0}, {131072, 480, 0},
        {8192, 480, 256}, {16384, 480, 256}, {32768, 480, 256}, {65536, 480, 256}, {131072, 480, 256},
        {131072, 480, 1024}, {131072, 480, 4096}, {131072, 480, 32768},
    };

    /** Autobahn's order of the payloads in section 12. */
    private static final CompressionData[] SECTION_12 = {
        CompressionData.JSON, CompressionData.BITMAP, CompressionData.VERSE, CompressionData.HTML, CompressionData.PDF,
    };

    private CompressionCases() {
    }

    /** Sections 12 and 13 with {@code messages} messages per case (Autobahn: 1,000). */
    static List<AutobahnCase> all(int messages) {
        if (messages < 1) {
            throw new IllegalArgumentException("messages must be >= 1: " + messages);
        }
        List<AutobahnCase> c = new ArrayList<>();
        DeflateScenario standard = DeflateScenario.of(List.of(Offer.standard()), new Accept(false, 0));
        for (int j = 0; j < SECTION_12.length; j++) {
            for (int i = 0; i < SIZES.length; i++) {
                c.add(echoCase("12." + (j + 1) + "." + (i + 1), SECTION_12[j], SIZES[i], standard, messages));
            }
        }
        List<DeflateScenario> params = List.of(
                DeflateScenario.of(List.of(Offer.standard()), new Accept(false, 0)),
                DeflateScenario.of(List.of(Offer.requesting(true, 0)), new Accept(true, 0)),
                DeflateScenario.of(List.of(Offer.requesting(false, 9)), new Accept(false, 9)),
                DeflateScenario.of(List.of(Offer.requesting(false, 15)), new Accept(false, 15)),
                DeflateScenario.of(List.of(Offer.requesting(true, 9)), new Accept(true, 9)),
                DeflateScenario.of(List.of(Offer.requesting(true, 15)), new Accept(true, 15)),
                DeflateScenario.of(List.of(Offer.requesting(true, 9), Offer.requesting(true, 0), Offer.standard()),
                        new Accept(true, 9), new Accept(true, 0), new Accept(false, 0)));
        for (int j = 0; j < params.size(); j++) {
            for (int i = 0; i < SIZES.length; i++) {
                c.add(echoCase("13." + (j + 1) + "." + (i + 1), CompressionData.JSON, SIZES[i], params.get(j), messages));
            }
        }
        return c;
    }

    private static AutobahnCase echoCase(String id, CompressionData data, int[] size, DeflateScenario scenario, int messages) {
        int length = size[0];
        int fragment = size[2];
        boolean text = data.text();
        String description = messages + " compressed " + (text ? "text" : "binary") + " messages of " + length
                + (text ? " characters" : " octets") + " from a " + data.description()
                + (fragment == 0 ? "" : ", compressed payload in frames of " + fragment + " octets")
                + ", one at a time, each echoed; " + scenario.describe();
        return new AutobahnCase(id, description, () -> {
            List<Event> echoes = new ArrayList<>(messages);
            for (int i = 0; i < messages; i++) {
                echoes.add(Event.echo(text, i));
            }
            return Script.builder()
                    .deflate(scenario)
                    .echoes(text, messages, i -> data.message(length, i), fragment)
                    .expect(Verdict.OK, echoes)
                    .close(CloseExpectation.normal())
                    .closeAfter(seconds(size[1]))
                    .build();
        });
    }
}
