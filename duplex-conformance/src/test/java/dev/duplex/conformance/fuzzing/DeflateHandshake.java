package dev.duplex.conformance.fuzzing;

import dev.duplex.conformance.cases.DeflateScenario;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * permessage-deflate negotiation (RFC 7692 §5, §7.1) as Autobahn's fuzzing peers play it, and the
 * checks they apply to the peer under test: the fuzzing client validates a server's response
 * against its offers, the fuzzing server answers a client's offer as the case says. Our own code,
 * independent of the engine's negotiation.
 */
final class DeflateHandshake {
    static final String NAME = "permessage-deflate";
    private static final int DEFAULT_BITS = 15;

    private DeflateHandshake() {
    }

    /** The parameters of one permessage-deflate element; window bits null when absent. */
    private record Params(boolean serverNoContextTakeover, boolean clientNoContextTakeover, Integer serverMaxWindowBits,
            boolean clientMaxWindowBitsPresent, Integer clientMaxWindowBits) {
    }

    /** The fuzzing server's answer: the response element and what it agreed to (both directions). */
    record Answer(String element, DeflateParams agreed) {
    }

    /**
     * Fuzzing client: checks the server's {@code Sec-WebSocket-Extensions} response (RFC 7692 §7.1)
     * against what we offered, and returns what it agrees to, read as Autobahn reads it (our own
     * compressor keeps its context unless the response says {@code client_no_context_takeover}).
     *
     * @throws IOException with the reason, for a response a client must reject
     */
    static DeflateParams validateResponse(String header, List<DeflateScenario.Offer> offers) throws IOException {
        List<ExtensionList.Element> elements;
        try {
            elements = ExtensionList.parse(header);
        } catch (IllegalArgumentException e) {
            throw new IOException("malformed Sec-WebSocket-Extensions response: " + e.getMessage());
        }
        if (elements.size() != 1) {
            throw new IOException("the server's response has " + elements.size() + " extensions, we offered permessage-deflate only: "
                    + header);
        }
        ExtensionList.Element e = elements.get(0);
        if (!e.name().equalsIgnoreCase(NAME)) {
            throw new IOException("the server agreed to " + e.name() + ", which we did not offer");
        }
        Params p;
        try {
            p = params(e, false);
        } catch (IllegalArgumentException ex) {
            throw new IOException("invalid permessage-deflate response \"" + e + "\": " + ex.getMessage());
        }
        StringBuilder why = new StringBuilder();
        for (DeflateScenario.Offer o : offers) {
            String problem = mismatch(p, o);
            if (problem == null) {
                return new DeflateParams(p.serverNoContextTakeover(), p.clientNoContextTakeover(),
                        p.serverMaxWindowBits() == null ? DEFAULT_BITS : p.serverMaxWindowBits(),
                        p.clientMaxWindowBits() == null ? DEFAULT_BITS : p.clientMaxWindowBits());
            }
            why.append(why.length() == 0 ? "" : "; ").append(o.element()).append(": ").append(problem);
        }
        throw new IOException("the response \"" + e + "\" accepts none of our offers (" + why + ")");
    }

    /** Why a valid response cannot accept offer {@code o}, or null when it can. */
    private static String mismatch(Params p, DeflateScenario.Offer o) {
        if (o.requestNoContextTakeover() && !p.serverNoContextTakeover()) {
            return "server_no_context_takeover was asked for but is missing (RFC 7692 §7.1.1.1)";
        }
        if (o.requestMaxWindowBits() != 0) {
            if (p.serverMaxWindowBits() == null) {
                return "server_max_window_bits=" + o.requestMaxWindowBits() + " was asked for but is missing (RFC 7692 §7.1.2.1)";
            }
            if (p.serverMaxWindowBits() > o.requestMaxWindowBits()) {
                return "server_max_window_bits=" + p.serverMaxWindowBits() + " is larger than the " + o.requestMaxWindowBits()
                        + " asked for (RFC 7692 §7.1.2.1)";
            }
        }
        if (p.clientMaxWindowBitsPresent() && !o.acceptMaxWindowBits()) {
            return "client_max_window_bits was not offered (RFC 7692 §7.1.2.2)";
        }
        return null;
    }

    /**
     * Fuzzing server: answers the client's {@code Sec-WebSocket-Extensions} offer with the first of
     * the case's ways of accepting that fits one of its permessage-deflate elements (Autobahn's
     * {@code acceptN}). The agreement it returns is the strict reading: the client's compressor must
     * also keep to what its own offer promised ({@code client_no_context_takeover} as a hint,
     * {@code client_max_window_bits} with a value).
     *
     * @return the answer, or null to decline (no permessage-deflate element fits)
     * @throws IOException with the reason, for an offer a server must not accept silently
     *     (malformed header, invalid permessage-deflate element): the client under test is broken
     */
    static Answer accept(String header, List<DeflateScenario.Accept> accepts) throws IOException {
        if (header == null) {
            return null;
        }
        List<ExtensionList.Element> elements;
        try {
            elements = ExtensionList.parse(header);
        } catch (IllegalArgumentException e) {
            throw new IOException("malformed Sec-WebSocket-Extensions offer: " + e.getMessage());
        }
        for (ExtensionList.Element e : elements) {
            if (e.name().equalsIgnoreCase(NAME)) {
                try {
                    params(e, true);
                } catch (IllegalArgumentException ex) {
                    throw new IOException("invalid permessage-deflate offer \"" + e + "\": " + ex.getMessage());
                }
            }
        }
        for (DeflateScenario.Accept a : accepts) {
            for (ExtensionList.Element e : elements) {
                if (!e.name().equalsIgnoreCase(NAME)) {
                    continue;
                }
                Params p = params(e, true);
                if (a.requestMaxWindowBits() != 0 && !p.clientMaxWindowBitsPresent()) {
                    continue; // Autobahn asks for a client window only of clients that offered client_max_window_bits
                }
                StringBuilder response = new StringBuilder(NAME);
                if (p.serverNoContextTakeover()) {
                    response.append("; server_no_context_takeover");
                }
                int serverBits = DEFAULT_BITS;
                if (p.serverMaxWindowBits() != null) {
                    serverBits = p.serverMaxWindowBits();
                    response.append("; server_max_window_bits=").append(serverBits);
                }
                if (a.requestNoContextTakeover()) {
                    response.append("; client_no_context_takeover");
                }
                int offeredClientBits = p.clientMaxWindowBits() == null ? DEFAULT_BITS : p.clientMaxWindowBits();
                int clientBits = offeredClientBits;
                if (a.requestMaxWindowBits() != 0) {
                    clientBits = Math.min(a.requestMaxWindowBits(), offeredClientBits);
                    response.append("; client_max_window_bits=").append(clientBits);
                }
                boolean clientNoContext = a.requestNoContextTakeover() || p.clientNoContextTakeover();
                return new Answer(response.toString(),
                        new DeflateParams(p.serverNoContextTakeover(), clientNoContext, serverBits, clientBits));
            }
        }
        return null;
    }

    /**
     * Reads one element's parameters: each known, at most once, with a valid value (RFC 7692 §7.1).
     *
     * @param offer an offer (client_max_window_bits may lack a value) rather than a response
     * @throws IllegalArgumentException with the reason
     */
    private static Params params(ExtensionList.Element e, boolean offer) {
        boolean snct = false;
        boolean cnct = false;
        Integer smwb = null;
        boolean cmwbPresent = false;
        Integer cmwb = null;
        for (ExtensionList.Param param : e.params()) {
            String name = param.name().toLowerCase(Locale.ROOT);
            String value = param.value();
            switch (name) {
                case "server_no_context_takeover" -> {
                    once(snct, name);
                    noValue(name, value);
                    snct = true;
                }
                case "client_no_context_takeover" -> {
                    once(cnct, name);
                    noValue(name, value);
                    cnct = true;
                }
                case "server_max_window_bits" -> {
                    once(smwb != null, name);
                    if (value == null) {
                        throw new IllegalArgumentException(name + " needs a value (RFC 7692 §7.1.2.1)");
                    }
                    smwb = windowBits(name, value);
                }
                case "client_max_window_bits" -> {
                    once(cmwbPresent, name);
                    cmwbPresent = true;
                    if (value != null) {
                        cmwb = windowBits(name, value);
                    } else if (!offer) {
                        throw new IllegalArgumentException(name + " needs a value in a response (RFC 7692 §7.1.2.2)");
                    }
                }
                default -> throw new IllegalArgumentException("unknown parameter " + param.name() + " (RFC 7692 §7.1)");
            }
        }
        return new Params(snct, cnct, smwb, cmwbPresent, cmwb);
    }

    private static void once(boolean seen, String name) {
        if (seen) {
            throw new IllegalArgumentException(name + " appears twice (RFC 7692 §7.1)");
        }
    }

    private static void noValue(String name, String value) {
        if (value != null) {
            throw new IllegalArgumentException(name + " takes no value (RFC 7692 §7.1.1)");
        }
    }

    /** 8–15, decimal digits without a leading zero (RFC 7692 §7.1.2). */
    private static int windowBits(String name, String value) {
        if (!value.matches("[1-9][0-9]?")) {
            throw new IllegalArgumentException(name + "=" + value + " is not a decimal number without leading zeros (RFC 7692 §7.1.2)");
        }
        int bits = Integer.parseInt(value);
        if (bits < 8 || bits > 15) {
            throw new IllegalArgumentException(name + "=" + value + " is outside 8-15 (RFC 7692 §7.1.2)");
        }
        return bits;
    }
}
