package dev.duplex.protocol.extension.deflate;

import dev.duplex.protocol.extension.ExtensionOffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * permessage-deflate negotiation (RFC 7692 §7.1). The server accepts the first offer it can honour
 * and declines invalid ones (an invalid offer is never an error for the handshake); the client
 * builds its offer and checks the server's answer strictly, so an out-of-range or unrequested
 * parameter fails the connection with a clear reason instead of a crash (compare undici
 * CVE-2026-2229).
 */
public final class DeflateNegotiation {
    public static final String NAME = "permessage-deflate";
    static final String SERVER_NO_CONTEXT_TAKEOVER = "server_no_context_takeover";
    static final String CLIENT_NO_CONTEXT_TAKEOVER = "client_no_context_takeover";
    static final String SERVER_MAX_WINDOW_BITS = "server_max_window_bits";
    static final String CLIENT_MAX_WINDOW_BITS = "client_max_window_bits";

    /** The server's choice: what to agree to and the element to put in the 101 response. */
    public record Accepted(DeflateAgreement agreement, ExtensionOffer response) {
    }

    private DeflateNegotiation() {
    }

    /**
     * Server side: picks the first acceptable permessage-deflate offer.
     *
     * @return the agreement and response element, or null to decline compression
     */
    public static Accepted accept(List<ExtensionOffer> offers, DeflateOptions options) {
        for (ExtensionOffer offer : offers) {
            if (offer.name().equalsIgnoreCase(NAME)) {
                Accepted accepted = acceptOne(offer, options);
                if (accepted != null) {
                    return accepted;
                }
            }
        }
        return null;
    }

    private static Accepted acceptOne(ExtensionOffer offer, DeflateOptions options) {
        Params p = Params.read(offer, true);
        if (p == null) {
            return null; // invalid offer: decline it, try the next (RFC 7692 §5)
        }
        List<ExtensionOffer.Param> response = new ArrayList<>(4);
        boolean serverNoContext = p.serverNoContextTakeover || !options.localContextTakeover();
        if (serverNoContext) {
            response.add(new ExtensionOffer.Param(SERVER_NO_CONTEXT_TAKEOVER, null));
        }
        boolean clientNoContext = p.clientNoContextTakeover || !options.peerContextTakeover();
        if (clientNoContext) {
            response.add(new ExtensionOffer.Param(CLIENT_NO_CONTEXT_TAKEOVER, null));
        }
        int serverBits = Math.min(p.serverMaxWindowBits, options.localMaxWindowBits());
        if (serverBits < DeflateOptions.MAX_WINDOW_BITS || p.serverMaxWindowBitsOffered) {
            response.add(new ExtensionOffer.Param(SERVER_MAX_WINDOW_BITS, Integer.toString(serverBits)));
        }
        int clientBits = DeflateOptions.MAX_WINDOW_BITS;
        if (p.clientMaxWindowBitsOffered) {
            // Only a client that offered client_max_window_bits understands it in the response.
            clientBits = Math.min(p.clientMaxWindowBits, options.peerMaxWindowBits());
            if (clientBits < DeflateOptions.MAX_WINDOW_BITS || p.clientMaxWindowBitsHasValue) {
                response.add(new ExtensionOffer.Param(CLIENT_MAX_WINDOW_BITS, Integer.toString(clientBits)));
            }
        }
        DeflateAgreement agreement = new DeflateAgreement(serverNoContext, clientNoContext, serverBits, clientBits,
                options.level(), options.thresholdBytes());
        return new Accepted(agreement, new ExtensionOffer(NAME, response));
    }

    /** Client side: the offer to send. */
    public static ExtensionOffer offer(DeflateOptions options) {
        List<ExtensionOffer.Param> params = new ArrayList<>(4);
        if (!options.localContextTakeover()) {
            params.add(new ExtensionOffer.Param(CLIENT_NO_CONTEXT_TAKEOVER, null));
        }
        if (!options.peerContextTakeover()) {
            params.add(new ExtensionOffer.Param(SERVER_NO_CONTEXT_TAKEOVER, null));
        }
        if (options.peerMaxWindowBits() < DeflateOptions.MAX_WINDOW_BITS) {
            params.add(new ExtensionOffer.Param(SERVER_MAX_WINDOW_BITS, Integer.toString(options.peerMaxWindowBits())));
        }
        // Always tell the server we can honour a smaller window for our compressor.
        params.add(new ExtensionOffer.Param(CLIENT_MAX_WINDOW_BITS,
                options.localMaxWindowBits() < DeflateOptions.MAX_WINDOW_BITS ? Integer.toString(options.localMaxWindowBits()) : null));
        return new ExtensionOffer(NAME, params);
    }

    /**
     * Client side: checks the server's permessage-deflate response against what we offered.
     *
     * @throws IllegalArgumentException with the reason, for a response that breaks RFC 7692 §7.1
     */
    public static DeflateAgreement validateResponse(ExtensionOffer response, DeflateOptions options) {
        Params p = Params.read(response, false);
        if (p == null) {
            throw new IllegalArgumentException("Server's permessage-deflate response has an unknown, duplicate or invalid parameter: "
                    + response);
        }
        if (!options.peerContextTakeover() && !p.serverNoContextTakeover) {
            throw new IllegalArgumentException("Server ignored our server_no_context_takeover request (RFC 7692 §7.1.1.1)");
        }
        if (!p.serverMaxWindowBitsOffered && options.peerMaxWindowBits() < DeflateOptions.MAX_WINDOW_BITS) {
            throw new IllegalArgumentException("Server's response lacks the server_max_window_bits=" + options.peerMaxWindowBits()
                    + " we asked for (RFC 7692 §7.1.2.1)");
        }
        if (p.serverMaxWindowBitsOffered && p.serverMaxWindowBits > options.peerMaxWindowBits()) {
            throw new IllegalArgumentException("Server's server_max_window_bits=" + p.serverMaxWindowBits
                    + " exceeds the " + options.peerMaxWindowBits() + " we asked for (RFC 7692 §7.1.2.1)");
        }
        if (p.clientMaxWindowBitsOffered && !p.clientMaxWindowBitsHasValue) {
            throw new IllegalArgumentException("Server's client_max_window_bits has no value (RFC 7692 §7.1.2.2)");
        }
        int localBits = Math.min(p.clientMaxWindowBitsOffered ? p.clientMaxWindowBits : DeflateOptions.MAX_WINDOW_BITS,
                options.localMaxWindowBits());
        return new DeflateAgreement(p.clientNoContextTakeover || !options.localContextTakeover(), p.serverNoContextTakeover,
                localBits, p.serverMaxWindowBits, options.level(), options.thresholdBytes());
    }

    /** The parameters of one element, or null when one is unknown, repeated or out of range. */
    private record Params(boolean serverNoContextTakeover, boolean clientNoContextTakeover,
            boolean serverMaxWindowBitsOffered, int serverMaxWindowBits,
            boolean clientMaxWindowBitsOffered, boolean clientMaxWindowBitsHasValue, int clientMaxWindowBits) {

        static Params read(ExtensionOffer element, boolean isOffer) {
            boolean snct = false;
            boolean cnct = false;
            boolean smwbSeen = false;
            int smwb = DeflateOptions.MAX_WINDOW_BITS;
            boolean cmwbSeen = false;
            boolean cmwbValue = false;
            int cmwb = DeflateOptions.MAX_WINDOW_BITS;
            for (ExtensionOffer.Param param : element.params()) {
                String name = param.name().toLowerCase(Locale.ROOT);
                String value = param.value();
                switch (name) {
                    case SERVER_NO_CONTEXT_TAKEOVER -> {
                        if (snct || value != null) {
                            return null;
                        }
                        snct = true;
                    }
                    case CLIENT_NO_CONTEXT_TAKEOVER -> {
                        if (cnct || value != null) {
                            return null;
                        }
                        cnct = true;
                    }
                    case SERVER_MAX_WINDOW_BITS -> {
                        Integer bits = windowBits(value);
                        if (smwbSeen || bits == null) {
                            return null; // a value is required in offers and responses alike
                        }
                        smwbSeen = true;
                        smwb = bits;
                    }
                    case CLIENT_MAX_WINDOW_BITS -> {
                        if (cmwbSeen) {
                            return null;
                        }
                        cmwbSeen = true;
                        if (value != null) {
                            Integer bits = windowBits(value);
                            if (bits == null) {
                                return null;
                            }
                            cmwbValue = true;
                            cmwb = bits;
                        } else if (!isOffer) {
                            cmwbValue = false; // reported by validateResponse with a clearer reason
                        }
                    }
                    default -> {
                        return null;
                    }
                }
            }
            return new Params(snct, cnct, smwbSeen, smwb, cmwbSeen, cmwbValue, cmwb);
        }

        /** 8–15 written as plain decimal digits, or null (RFC 7692 §7.1.2.1: "1*DIGIT", no leading zero). */
        private static Integer windowBits(String value) {
            if (value == null || value.isEmpty() || value.length() > 2 || value.charAt(0) == '0') {
                return null;
            }
            for (int i = 0; i < value.length(); i++) {
                if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                    return null;
                }
            }
            int bits = Integer.parseInt(value);
            return DeflateOptions.isValidWindow(bits) ? bits : null;
        }
    }
}
