package dev.duplex.protocol.extension;

import java.util.List;

/**
 * One element of a {@code Sec-WebSocket-Extensions} header: an extension name and its parameters,
 * in order (RFC 6455 §9.1). Parameter names are data, never looked up in anything that could
 * collide with them (compare the {@code constructor} crash in Node's ws, NSP-550).
 */
public record ExtensionOffer(String name, List<Param> params) {

    /** A parameter; {@code value} is null when the parameter has no value. */
    public record Param(String name, String value) {
    }

    public ExtensionOffer {
        params = List.copyOf(params);
    }

    /** The number of times {@code param} appears. */
    public int count(String param) {
        int n = 0;
        for (Param p : params) {
            if (p.name.equalsIgnoreCase(param)) {
                n++;
            }
        }
        return n;
    }

    /** The parameter named {@code param}, or null. */
    public Param param(String param) {
        for (Param p : params) {
            if (p.name.equalsIgnoreCase(param)) {
                return p;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return ExtensionHeader.format(List.of(this));
    }
}
