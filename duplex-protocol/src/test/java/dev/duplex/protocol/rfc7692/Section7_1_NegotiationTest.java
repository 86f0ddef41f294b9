package dev.duplex.protocol.rfc7692;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duplex.protocol.Compression;
import dev.duplex.protocol.extension.ExtensionHeader;
import dev.duplex.protocol.extension.ExtensionOffer;
import dev.duplex.protocol.extension.deflate.DeflateAgreement;
import dev.duplex.protocol.extension.deflate.DeflateNegotiation;
import dev.duplex.protocol.extension.deflate.DeflateOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RFC 7692 §7.1 "Extension Negotiation": the server accepts the first offer it can honour and
 * declines invalid ones; the client checks the response strictly (RELIABILITY D3, H4; undici
 * CVE-2026-2229: an invalid {@code server_max_window_bits} must fail cleanly, never crash).
 */
class Section7_1_NegotiationTest {
    private static final DeflateOptions TAKEOVER = DeflateOptions.defaults()
            .withLocalContextTakeover(true).withPeerContextTakeover(true);

    // ------------------------------------------------------------------ server side

    private static DeflateNegotiation.Accepted accept(String header, DeflateOptions options) {
        return DeflateNegotiation.accept(ExtensionHeader.parse(List.of(header)), options);
    }

    private static String response(DeflateNegotiation.Accepted accepted) {
        return ExtensionHeader.format(List.of(accepted.response()));
    }

    @Test
    @DisplayName("Default options: a bare offer is accepted with no context takeover both ways, 15-bit windows")
    void bareOfferWithDefaults() {
        DeflateNegotiation.Accepted a = accept("permessage-deflate", DeflateOptions.defaults());
        assertThat(response(a)).isEqualTo("permessage-deflate; server_no_context_takeover; client_no_context_takeover");
        assertThat(a.agreement()).isEqualTo(new DeflateAgreement(true, true, 15, 15, 6, 256));
    }

    @Test
    @DisplayName("Context takeover allowed both ways: a bare offer gets a bare response")
    void bareOfferWithTakeover() {
        DeflateNegotiation.Accepted a = accept("permessage-deflate", TAKEOVER);
        assertThat(response(a)).isEqualTo("permessage-deflate");
        assertThat(a.agreement()).isEqualTo(new DeflateAgreement(false, false, 15, 15, 6, 256));
    }

    @Test
    @DisplayName("§7.1.1.1 server_no_context_takeover in the offer is honoured even when we would keep context")
    void serverNoContextTakeoverRequested() {
        DeflateNegotiation.Accepted a = accept("permessage-deflate; server_no_context_takeover", TAKEOVER);
        assertThat(response(a)).isEqualTo("permessage-deflate; server_no_context_takeover");
        assertThat(a.agreement().localNoContextTakeover()).isTrue();
        assertThat(a.agreement().peerNoContextTakeover()).isFalse();
    }

    @Test
    @DisplayName("§7.1.1.2 client_no_context_takeover in the offer: echoed, so our inflater may be pooled")
    void clientNoContextTakeoverOffered() {
        DeflateNegotiation.Accepted a = accept("permessage-deflate; client_no_context_takeover", TAKEOVER);
        assertThat(response(a)).isEqualTo("permessage-deflate; client_no_context_takeover");
        assertThat(a.agreement().localNoContextTakeover()).isFalse();
        assertThat(a.agreement().peerNoContextTakeover()).isTrue();
    }

    @Test
    @DisplayName("Options: localContextTakeover=false adds server_no_context_takeover, peerContextTakeover=false adds client_no_context_takeover")
    void optionsAddNoContextTakeover() {
        DeflateNegotiation.Accepted local = accept("permessage-deflate", TAKEOVER.withLocalContextTakeover(false));
        assertThat(response(local)).isEqualTo("permessage-deflate; server_no_context_takeover");
        assertThat(local.agreement()).isEqualTo(new DeflateAgreement(true, false, 15, 15, 6, 256));

        DeflateNegotiation.Accepted peer = accept("permessage-deflate", TAKEOVER.withPeerContextTakeover(false));
        assertThat(response(peer)).isEqualTo("permessage-deflate; client_no_context_takeover");
        assertThat(peer.agreement()).isEqualTo(new DeflateAgreement(false, true, 15, 15, 6, 256));
    }

    @ParameterizedTest(name = "server_max_window_bits={0}")
    @ValueSource(ints = {8, 9, 10, 11, 12, 13, 14, 15})
    @DisplayName("§7.1.2.1 server_max_window_bits=8..15 is accepted and echoed; our compressor uses that window")
    void serverMaxWindowBitsOffered(int bits) {
        DeflateNegotiation.Accepted a = accept("permessage-deflate; server_max_window_bits=" + bits, TAKEOVER);
        assertThat(response(a)).isEqualTo("permessage-deflate; server_max_window_bits=" + bits);
        assertThat(a.agreement().localWindowBits()).isEqualTo(bits);
        assertThat(a.agreement().peerWindowBits()).isEqualTo(15);
    }

    @ParameterizedTest(name = "server_max_window_bits={0}, localMaxWindowBits=10")
    @ValueSource(ints = {8, 9, 10, 11, 12, 15})
    @DisplayName("§7.1.2.1 the server's window is the smaller of the offer and localMaxWindowBits")
    void serverWindowIsTheSmallerOfOfferAndOption(int bits) {
        DeflateNegotiation.Accepted a = accept("permessage-deflate; server_max_window_bits=" + bits, TAKEOVER.withLocalMaxWindowBits(10));
        int expected = Math.min(bits, 10);
        assertThat(response(a)).isEqualTo("permessage-deflate; server_max_window_bits=" + expected);
        assertThat(a.agreement().localWindowBits()).isEqualTo(expected);
    }

    @Test
    @DisplayName("§7.1.2.1 without server_max_window_bits in the offer the server may still announce a smaller window")
    void serverAnnouncesItsSmallerWindowUnasked() {
        DeflateNegotiation.Accepted a = accept("permessage-deflate", TAKEOVER.withLocalMaxWindowBits(9));
        assertThat(response(a)).isEqualTo("permessage-deflate; server_max_window_bits=9");
        assertThat(a.agreement().localWindowBits()).isEqualTo(9);
    }

    @Test
    @DisplayName("§7.1.2.2 client_max_window_bits without value: not echoed unless we want a smaller client window")
    void clientMaxWindowBitsWithoutValue() {
        DeflateNegotiation.Accepted a = accept("permessage-deflate; client_max_window_bits", TAKEOVER);
        assertThat(response(a)).isEqualTo("permessage-deflate");
        assertThat(a.agreement().peerWindowBits()).isEqualTo(15);

        for (int bits = 8; bits <= 15; bits++) {
            DeflateNegotiation.Accepted limited = accept("permessage-deflate; client_max_window_bits", TAKEOVER.withPeerMaxWindowBits(bits));
            assertThat(response(limited)).isEqualTo(bits == 15 ? "permessage-deflate" : "permessage-deflate; client_max_window_bits=" + bits);
            assertThat(limited.agreement().peerWindowBits()).isEqualTo(bits);
        }
    }

    @ParameterizedTest(name = "client_max_window_bits={0}")
    @ValueSource(ints = {8, 9, 10, 11, 12, 13, 14, 15})
    @DisplayName("§7.1.2.2 client_max_window_bits=N: the response value never exceeds N nor peerMaxWindowBits, and always has a value")
    void clientMaxWindowBitsWithValue(int bits) {
        DeflateNegotiation.Accepted a = accept("permessage-deflate; client_max_window_bits=" + bits, TAKEOVER);
        assertThat(response(a)).isEqualTo("permessage-deflate; client_max_window_bits=" + bits);
        assertThat(a.agreement().peerWindowBits()).isEqualTo(bits);

        DeflateNegotiation.Accepted limited = accept("permessage-deflate; client_max_window_bits=" + bits, TAKEOVER.withPeerMaxWindowBits(11));
        assertThat(response(limited)).isEqualTo("permessage-deflate; client_max_window_bits=" + Math.min(bits, 11));
        assertThat(limited.agreement().peerWindowBits()).isEqualTo(Math.min(bits, 11));
    }

    @ParameterizedTest(name = "peerMaxWindowBits={0}")
    @ValueSource(ints = {8, 10, 14})
    @DisplayName("§7.1.2.2 client_max_window_bits absent from the offer: never in the response, whatever peerMaxWindowBits says")
    void clientMaxWindowBitsNeverSentUnoffered(int bits) {
        DeflateNegotiation.Accepted a = accept("permessage-deflate; server_no_context_takeover", TAKEOVER.withPeerMaxWindowBits(bits));
        assertThat(a.response().count("client_max_window_bits")).isZero();
        assertThat(a.agreement().peerWindowBits()).isEqualTo(15);
    }

    @Test
    @DisplayName("Every parameter at once, with level and threshold carried into the agreement")
    void everyParameter() {
        DeflateOptions options = DeflateOptions.defaults().withLevel(3).withThresholdBytes(100)
                .withLocalContextTakeover(true).withPeerContextTakeover(true).withLocalMaxWindowBits(12).withPeerMaxWindowBits(10);
        DeflateNegotiation.Accepted a = accept("permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
                + "server_max_window_bits=13; client_max_window_bits=9", options);
        assertThat(response(a)).isEqualTo("permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
                + "server_max_window_bits=12; client_max_window_bits=9");
        assertThat(a.agreement()).isEqualTo(new DeflateAgreement(true, true, 12, 9, 3, 100));
    }

    @Test
    @DisplayName("§7.1.2.1 a quoted window value is read after unquoting")
    void quotedValue() {
        DeflateNegotiation.Accepted a = accept("permessage-deflate; server_max_window_bits=\"10\"", TAKEOVER);
        assertThat(a.agreement().localWindowBits()).isEqualTo(10);
    }

    static Stream<String> invalidOffers() {
        return Stream.of(
                "permessage-deflate; server_max_window_bits=7",
                "permessage-deflate; server_max_window_bits=16",
                "permessage-deflate; server_max_window_bits=0",
                "permessage-deflate; server_max_window_bits=abc",
                "permessage-deflate; server_max_window_bits=010",
                "permessage-deflate; server_max_window_bits=08",
                "permessage-deflate; server_max_window_bits=1e1",
                "permessage-deflate; server_max_window_bits=99999999999999999999",
                "permessage-deflate; server_max_window_bits=\"7\"",
                "permessage-deflate; server_max_window_bits",
                "permessage-deflate; server_max_window_bits=10; server_max_window_bits=10",
                "permessage-deflate; client_max_window_bits=7",
                "permessage-deflate; client_max_window_bits=16",
                "permessage-deflate; client_max_window_bits=abc",
                "permessage-deflate; client_max_window_bits=010",
                "permessage-deflate; client_max_window_bits; client_max_window_bits",
                "permessage-deflate; client_max_window_bits=10; client_max_window_bits",
                "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
                "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
                "permessage-deflate; server_no_context_takeover=1",
                "permessage-deflate; client_no_context_takeover=true",
                "permessage-deflate; permessage-deflate",
                "permessage-deflate; constructor",
                "permessage-deflate; __proto__",
                "permessage-deflate; x_unknown_param=1",
                "permessage-deflate; no_context_takeover");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidOffers")
    @DisplayName("§7.1 an invalid offer is declined (null), and a valid offer after it is accepted instead")
    void invalidOfferIsDeclinedAndTheNextTried(String invalid) {
        assertThat(accept(invalid, DeflateOptions.defaults())).isNull();
        assertThat(accept(invalid, TAKEOVER)).isNull();

        DeflateNegotiation.Accepted next = accept(invalid + ", permessage-deflate; server_max_window_bits=11", TAKEOVER);
        assertThat(next).isNotNull();
        assertThat(response(next)).isEqualTo("permessage-deflate; server_max_window_bits=11");
        assertThat(next.agreement().localWindowBits()).isEqualTo(11);
    }

    @Test
    @DisplayName("Several offers: the first acceptable one wins; other extensions are skipped")
    void firstAcceptableOfferWins() {
        DeflateNegotiation.Accepted a = accept("x-webkit-deflate-frame, permessage-deflate; server_max_window_bits=9; client_max_window_bits, "
                + "permessage-deflate; server_max_window_bits=12, permessage-deflate", TAKEOVER);
        assertThat(response(a)).isEqualTo("permessage-deflate; server_max_window_bits=9");
        assertThat(a.agreement().localWindowBits()).isEqualTo(9);

        DeflateNegotiation.Accepted secondValid = accept("permessage-deflate; server_max_window_bits=16, "
                + "permessage-deflate; server_max_window_bits=abc, permessage-deflate; client_no_context_takeover", TAKEOVER);
        assertThat(response(secondValid)).isEqualTo("permessage-deflate; client_no_context_takeover");

        // Several header lines count like one comma-separated list.
        DeflateNegotiation.Accepted lines = DeflateNegotiation.accept(ExtensionHeader.parse(List.of(
                "permessage-deflate; bogus", "permessage-deflate; server_max_window_bits=8")), TAKEOVER);
        assertThat(lines.agreement().localWindowBits()).isEqualTo(8);
    }

    @Test
    @DisplayName("No permessage-deflate offer, or only invalid ones: compression is declined, no exception")
    void nothingAcceptable() {
        assertThat(accept("x-webkit-deflate-frame", TAKEOVER)).isNull();
        assertThat(DeflateNegotiation.accept(List.of(), TAKEOVER)).isNull();
        assertThat(accept("permessage-deflate; server_max_window_bits=7, permessage-deflate; server_max_window_bits=16",
                TAKEOVER)).isNull();
    }

    /**
     * Every combination of offer parameters against several server options, each response checked
     * against the rules of §7.1 rather than against the implementation's own logic.
     */
    @Test
    @DisplayName("Exhaustive: every offer parameter combination × server options obeys §7.1 and the options")
    void exhaustiveServerCombinations() {
        int checked = 0;
        Integer[] windows = {null, 8, 9, 10, 11, 12, 13, 14, 15};
        for (boolean snct : new boolean[] {false, true}) {
            for (boolean cnct : new boolean[] {false, true}) {
                for (Integer smwb : windows) {
                    // client_max_window_bits: absent (-2), no value (-1), or 8..15
                    for (int cmwb = -2; cmwb <= 15; cmwb = cmwb == -1 ? 8 : cmwb + 1) {
                        List<ExtensionOffer.Param> params = new ArrayList<>();
                        if (snct) {
                            params.add(new ExtensionOffer.Param("server_no_context_takeover", null));
                        }
                        if (cnct) {
                            params.add(new ExtensionOffer.Param("client_no_context_takeover", null));
                        }
                        if (smwb != null) {
                            params.add(new ExtensionOffer.Param("server_max_window_bits", smwb.toString()));
                        }
                        if (cmwb != -2) {
                            params.add(new ExtensionOffer.Param("client_max_window_bits", cmwb == -1 ? null : Integer.toString(cmwb)));
                        }
                        ExtensionOffer offer = new ExtensionOffer("permessage-deflate", params);
                        for (DeflateOptions options : serverOptions()) {
                            checkServerAnswer(offer, snct, cnct, smwb, cmwb, options);
                            checked++;
                        }
                    }
                }
            }
        }
        assertThat(checked).isEqualTo(2 * 2 * 9 * 10 * serverOptions().size());
    }

    private static List<DeflateOptions> serverOptions() {
        List<DeflateOptions> all = new ArrayList<>();
        for (boolean local : new boolean[] {false, true}) {
            for (boolean peer : new boolean[] {false, true}) {
                for (int localBits : new int[] {8, 12, 15}) {
                    for (int peerBits : new int[] {8, 12, 15}) {
                        all.add(DeflateOptions.defaults().withLocalContextTakeover(local).withPeerContextTakeover(peer)
                                .withLocalMaxWindowBits(localBits).withPeerMaxWindowBits(peerBits));
                    }
                }
            }
        }
        return all;
    }

    private static void checkServerAnswer(ExtensionOffer offer, boolean snct, boolean cnct, Integer smwb, int cmwb,
            DeflateOptions options) {
        String what = offer + " with " + options;
        DeflateNegotiation.Accepted a = DeflateNegotiation.accept(List.of(offer), options);
        assertThat(a).as(what).isNotNull();
        ExtensionOffer r = a.response();
        DeflateAgreement g = a.agreement();
        assertThat(r.name()).as(what).isEqualTo("permessage-deflate");
        for (String name : List.of("server_no_context_takeover", "client_no_context_takeover",
                "server_max_window_bits", "client_max_window_bits")) {
            assertThat(r.count(name)).as(what + ": " + name + " at most once").isLessThanOrEqualTo(1);
        }
        assertThat(r.params()).as(what).allMatch(p -> List.of("server_no_context_takeover", "client_no_context_takeover",
                "server_max_window_bits", "client_max_window_bits").contains(p.name()));
        // §7.1.1.1: a requested server_no_context_takeover must be in the response.
        boolean rSnct = r.param("server_no_context_takeover") != null;
        if (snct) {
            assertThat(rSnct).as(what).isTrue();
        }
        if (!options.localContextTakeover()) {
            assertThat(rSnct).as(what + ": localContextTakeover=false").isTrue();
        }
        assertThat(g.localNoContextTakeover()).as(what).isEqualTo(rSnct);
        boolean rCnct = r.param("client_no_context_takeover") != null;
        if (!options.peerContextTakeover()) {
            assertThat(rCnct).as(what + ": peerContextTakeover=false").isTrue();
        }
        assertThat(g.peerNoContextTakeover()).as(what).isEqualTo(rCnct);
        // §7.1.2.1: server_max_window_bits in the response is 8..15 and never above the offer's.
        ExtensionOffer.Param rSmwb = r.param("server_max_window_bits");
        if (smwb != null) {
            assertThat(rSmwb).as(what + ": a requested server window must be acknowledged").isNotNull();
        }
        int serverBits = rSmwb == null ? 15 : Integer.parseInt(rSmwb.value());
        assertThat(serverBits).as(what).isBetween(8, 15);
        if (smwb != null) {
            assertThat(serverBits).as(what).isLessThanOrEqualTo(smwb);
        }
        assertThat(serverBits).as(what).isLessThanOrEqualTo(options.localMaxWindowBits());
        assertThat(g.localWindowBits()).as(what).isEqualTo(serverBits);
        // §7.1.2.2: client_max_window_bits only if offered, always with a value, never above the offer's.
        ExtensionOffer.Param rCmwb = r.param("client_max_window_bits");
        if (cmwb == -2) {
            assertThat(rCmwb).as(what + ": client_max_window_bits was not offered").isNull();
            assertThat(g.peerWindowBits()).as(what).isEqualTo(15);
        } else {
            int clientBits = rCmwb == null ? (cmwb == -1 ? 15 : cmwb) : Integer.parseInt(rCmwb.value());
            if (rCmwb != null) {
                assertThat(rCmwb.value()).as(what).isNotNull();
                assertThat(clientBits).as(what).isBetween(8, 15);
            }
            if (cmwb > 0) {
                assertThat(clientBits).as(what).isLessThanOrEqualTo(cmwb);
            }
            assertThat(clientBits).as(what + ": peerMaxWindowBits").isLessThanOrEqualTo(options.peerMaxWindowBits());
            assertThat(g.peerWindowBits()).as(what).isEqualTo(clientBits);
        }
        assertThat(g.level()).isEqualTo(options.level());
        assertThat(g.thresholdBytes()).isEqualTo(options.thresholdBytes());
    }

    // ------------------------------------------------------------------ client side

    private static ExtensionOffer parse(String header) {
        List<ExtensionOffer> offers = ExtensionHeader.parse(List.of(header));
        assertThat(offers).hasSize(1);
        return offers.get(0);
    }

    private static DeflateAgreement validate(String response, DeflateOptions options) {
        return DeflateNegotiation.validateResponse(parse(response), options);
    }

    @Test
    @DisplayName("Client offers: defaults ask for no context takeover both ways and allow client_max_window_bits")
    void clientOffers() {
        assertThat(ExtensionHeader.format(List.of(DeflateNegotiation.offer(DeflateOptions.defaults()))))
                .isEqualTo("permessage-deflate; client_no_context_takeover; server_no_context_takeover; client_max_window_bits");
        assertThat(ExtensionHeader.format(List.of(DeflateNegotiation.offer(TAKEOVER))))
                .isEqualTo("permessage-deflate; client_max_window_bits");
        assertThat(ExtensionHeader.format(List.of(DeflateNegotiation.offer(TAKEOVER.withPeerMaxWindowBits(10).withLocalMaxWindowBits(9)))))
                .isEqualTo("permessage-deflate; server_max_window_bits=10; client_max_window_bits=9");
        // The offer is valid by our own server's rules.
        for (int bits = 8; bits <= 15; bits++) {
            ExtensionOffer offer = DeflateNegotiation.offer(DeflateOptions.defaults().withPeerMaxWindowBits(bits).withLocalMaxWindowBits(bits));
            assertThat(DeflateNegotiation.accept(List.of(offer), DeflateOptions.defaults())).as(offer.toString()).isNotNull();
        }
    }

    @Test
    @DisplayName("Valid responses give the right agreement")
    void validResponses() {
        assertThat(validate("permessage-deflate; server_no_context_takeover; client_no_context_takeover", DeflateOptions.defaults()))
                .isEqualTo(new DeflateAgreement(true, true, 15, 15, 6, 256));
        assertThat(validate("permessage-deflate", TAKEOVER)).isEqualTo(new DeflateAgreement(false, false, 15, 15, 6, 256));
        // The server may ask us not to keep context, and may keep none itself unasked.
        assertThat(validate("permessage-deflate; client_no_context_takeover; server_no_context_takeover", TAKEOVER))
                .isEqualTo(new DeflateAgreement(true, true, 15, 15, 6, 256));
        // A window at or below the one we asked for; a smaller window unasked.
        assertThat(validate("permessage-deflate; server_max_window_bits=9", TAKEOVER.withPeerMaxWindowBits(10)).peerWindowBits()).isEqualTo(9);
        assertThat(validate("permessage-deflate; server_max_window_bits=10", TAKEOVER.withPeerMaxWindowBits(10)).peerWindowBits()).isEqualTo(10);
        assertThat(validate("permessage-deflate; server_max_window_bits=12", TAKEOVER).peerWindowBits()).isEqualTo(12);
        // The server limits our window.
        assertThat(validate("permessage-deflate; client_max_window_bits=8", TAKEOVER).localWindowBits()).isEqualTo(8);
        assertThat(validate("permessage-deflate; client_max_window_bits=12", TAKEOVER.withLocalMaxWindowBits(10)).localWindowBits()).isEqualTo(10);
        // Level and threshold come from our options.
        DeflateAgreement g = validate("permessage-deflate", TAKEOVER.withLevel(1).withThresholdBytes(0));
        assertThat(g.level()).isEqualTo(1);
        assertThat(g.thresholdBytes()).isZero();
    }

    static Stream<Arguments> invalidResponses() {
        return Stream.of(
                Arguments.of("permessage-deflate; server_max_window_bits=16", "invalid"),
                Arguments.of("permessage-deflate; server_max_window_bits=7", "invalid"),
                Arguments.of("permessage-deflate; server_max_window_bits=0", "invalid"),
                Arguments.of("permessage-deflate; server_max_window_bits=abc", "invalid"),
                Arguments.of("permessage-deflate; server_max_window_bits=-1", "invalid"),
                Arguments.of("permessage-deflate; server_max_window_bits=99999999999999999999", "invalid"),
                Arguments.of("permessage-deflate; server_max_window_bits", "invalid"),
                Arguments.of("permessage-deflate; server_max_window_bits=9; server_max_window_bits=9", "duplicate"),
                Arguments.of("permessage-deflate; client_max_window_bits=16", "invalid"),
                Arguments.of("permessage-deflate; client_max_window_bits", "client_max_window_bits has no value"),
                Arguments.of("permessage-deflate; x_extra", "unknown"),
                Arguments.of("permessage-deflate; constructor", "unknown"),
                Arguments.of("permessage-deflate; __proto__=1", "unknown"),
                Arguments.of("permessage-deflate; server_no_context_takeover; server_no_context_takeover", "duplicate"),
                Arguments.of("permessage-deflate; client_no_context_takeover=1", "invalid"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidResponses")
    @DisplayName("An unknown, duplicate, out-of-range or value-less parameter fails with a clear IllegalArgumentException")
    void invalidResponseFailsCleanly(String response, String reason) {
        assertThatThrownBy(() -> validate(response, TAKEOVER))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(reason);
    }

    @ParameterizedTest(name = "we asked for {0}")
    @ValueSource(ints = {8, 9, 12, 14})
    @DisplayName("server_max_window_bits above the value we asked for fails (§7.1.2.1)")
    void serverWindowAboveOurRequest(int asked) {
        for (int answered = asked + 1; answered <= 15; answered++) {
            int bits = answered;
            assertThatThrownBy(() -> validate("permessage-deflate; server_max_window_bits=" + bits, TAKEOVER.withPeerMaxWindowBits(asked)))
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("server_max_window_bits=" + bits)
                    .hasMessageContaining("exceeds");
        }
        // A response without the parameter means 15, which we did not allow either.
        assertThatThrownBy(() -> validate("permessage-deflate", TAKEOVER.withPeerMaxWindowBits(asked)))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("server_max_window_bits");
    }

    @Test
    @DisplayName("Our server_no_context_takeover request ignored by the server fails (§7.1.1.1)")
    void serverIgnoredNoContextTakeover() {
        assertThatThrownBy(() -> validate("permessage-deflate", DeflateOptions.defaults()))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("server_no_context_takeover");
        assertThatThrownBy(() -> validate("permessage-deflate; client_no_context_takeover", DeflateOptions.defaults()))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("server_no_context_takeover");
    }

    /** Client options against server options, through real header strings: both sides agree on the same thing. */
    @Test
    @DisplayName("Client offer → server accept → client validate: both sides' agreements mirror each other")
    void bothSidesAgree() {
        List<DeflateOptions> all = new ArrayList<>();
        for (boolean local : new boolean[] {false, true}) {
            for (boolean peer : new boolean[] {false, true}) {
                for (int localBits : IntStream.rangeClosed(8, 15).toArray()) {
                    for (int peerBits : IntStream.rangeClosed(8, 15).toArray()) {
                        all.add(DeflateOptions.defaults().withLocalContextTakeover(local).withPeerContextTakeover(peer)
                                .withLocalMaxWindowBits(localBits).withPeerMaxWindowBits(peerBits));
                    }
                }
            }
        }
        for (DeflateOptions client : all) {
            for (DeflateOptions server : all) {
                Compression.Negotiated n = Compression.negotiate(client, server);
                String what = n.offer() + " → " + n.response();
                DeflateAgreement c = n.client();
                DeflateAgreement s = n.server();
                assertThat(c.localNoContextTakeover()).as(what).isEqualTo(s.peerNoContextTakeover());
                assertThat(c.peerNoContextTakeover()).as(what).isEqualTo(s.localNoContextTakeover());
                assertThat(c.localWindowBits()).as(what).isEqualTo(s.peerWindowBits());
                assertThat(c.peerWindowBits()).as(what).isEqualTo(s.localWindowBits());
                assertThat(c.localNoContextTakeover()).as(what).isEqualTo(!client.localContextTakeover() || !server.peerContextTakeover());
                assertThat(c.peerNoContextTakeover()).as(what).isEqualTo(!client.peerContextTakeover() || !server.localContextTakeover());
                assertThat(c.localWindowBits()).as(what).isEqualTo(Math.min(client.localMaxWindowBits(), server.peerMaxWindowBits()));
                assertThat(c.peerWindowBits()).as(what).isEqualTo(Math.min(client.peerMaxWindowBits(), server.localMaxWindowBits()));
            }
        }
    }
}
