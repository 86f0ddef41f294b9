package dev.duplex.conformance.cases;

import java.util.List;
import java.util.Objects;

/**
 * permessage-deflate (RFC 7692) for one case of Autobahn sections 12 and 13: what the fuzzing
 * client offers when it tests a server, and how the fuzzing server accepts when it tests a client.
 *
 * @param clientOffers the elements the fuzzing client offers, in order (13.7 offers three)
 * @param serverAccepts the fuzzing server's ways of accepting, tried in order; the first one that
 *     fits one of the client's offers wins (Autobahn's {@code accept7} falls back twice)
 */
public record DeflateScenario(List<Offer> clientOffers, List<Accept> serverAccepts) {
    public DeflateScenario {
        clientOffers = List.copyOf(clientOffers);
        serverAccepts = List.copyOf(serverAccepts);
        if (clientOffers.isEmpty() || serverAccepts.isEmpty()) {
            throw new IllegalArgumentException("A scenario needs at least one offer and one way to accept");
        }
    }

    /**
     * One permessage-deflate element a client offers (Autobahn's {@code PerMessageDeflateOffer}).
     *
     * @param acceptNoContextTakeover offer {@code client_no_context_takeover}, a hint that the
     *     client can do without context takeover (Autobahn always sends it)
     * @param acceptMaxWindowBits offer {@code client_max_window_bits} without a value: the server
     *     may limit the client's window (Autobahn always sends it)
     * @param requestNoContextTakeover ask for {@code server_no_context_takeover}
     * @param requestMaxWindowBits ask for {@code server_max_window_bits} of this value, or 0 for none
     */
    public record Offer(boolean acceptNoContextTakeover, boolean acceptMaxWindowBits, boolean requestNoContextTakeover,
            int requestMaxWindowBits) {
        public Offer {
            if (requestMaxWindowBits != 0 && (requestMaxWindowBits < 8 || requestMaxWindowBits > 15)) {
                throw new IllegalArgumentException("requestMaxWindowBits must be 0 or 8-15: " + requestMaxWindowBits);
            }
        }

        /** Autobahn's default offer: both hints, no requests. */
        public static Offer standard() {
            return new Offer(true, true, false, 0);
        }

        /** Autobahn's offer asking for {@code server_no_context_takeover} and/or a server window. */
        public static Offer requesting(boolean noContextTakeover, int maxWindowBits) {
            return new Offer(true, true, noContextTakeover, maxWindowBits);
        }

        /** The element as Autobahn writes it, e.g. {@code permessage-deflate; client_no_context_takeover; client_max_window_bits}. */
        public String element() {
            StringBuilder s = new StringBuilder("permessage-deflate");
            if (acceptNoContextTakeover) {
                s.append("; client_no_context_takeover");
            }
            if (acceptMaxWindowBits) {
                s.append("; client_max_window_bits");
            }
            if (requestNoContextTakeover) {
                s.append("; server_no_context_takeover");
            }
            if (requestMaxWindowBits != 0) {
                s.append("; server_max_window_bits=").append(requestMaxWindowBits);
            }
            return s.toString();
        }

        @Override
        public String toString() {
            return "(" + requestNoContextTakeover + ", " + requestMaxWindowBits + ")";
        }
    }

    /**
     * One way a server accepts an offer (Autobahn's {@code accept1} … {@code accept6}): it may ask
     * the client for {@code client_no_context_takeover} (any client must honour it, RFC 7692
     * §7.1.1.2) and for {@code client_max_window_bits} of a value, which fits only offers that
     * carry {@code client_max_window_bits}.
     *
     * @param requestMaxWindowBits the client window to ask for, or 0 for none
     */
    public record Accept(boolean requestNoContextTakeover, int requestMaxWindowBits) {
        public Accept {
            if (requestMaxWindowBits != 0 && (requestMaxWindowBits < 8 || requestMaxWindowBits > 15)) {
                throw new IllegalArgumentException("requestMaxWindowBits must be 0 or 8-15: " + requestMaxWindowBits);
            }
        }

        @Override
        public String toString() {
            return "(" + requestNoContextTakeover + ", " + requestMaxWindowBits + ")";
        }
    }

    /** "client offers [(false, 0)] / server accepts [(true, 9)]", Autobahn's notation. */
    public String describe() {
        return "client offers " + clientOffers + " / server accepts " + serverAccepts;
    }

    /** The whole {@code Sec-WebSocket-Extensions} value the fuzzing client sends. */
    public String offerHeader() {
        StringBuilder s = new StringBuilder();
        for (Offer o : clientOffers) {
            if (s.length() > 0) {
                s.append(", ");
            }
            s.append(o.element());
        }
        return s.toString();
    }

    static DeflateScenario of(List<Offer> offers, Accept... accepts) {
        return new DeflateScenario(Objects.requireNonNull(offers), List.of(accepts));
    }
}
