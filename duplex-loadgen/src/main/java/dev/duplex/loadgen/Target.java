package dev.duplex.loadgen;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Locale;

/** The server under test: a {@code ws://} URL and the socket address it resolves to (once). */
record Target(URI uri, InetSocketAddress address) {

    /** @throws IllegalArgumentException with a sentence saying what is wrong with {@code uri} */
    static Target of(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("wss")) {
            throw new IllegalArgumentException("duplex bench speaks ws:// only (it measures the server, not TLS): " + uri);
        }
        if (!scheme.equals("ws")) {
            throw new IllegalArgumentException("The URL must start with ws://, e.g. ws://127.0.0.1:8080/echo, not: " + uri);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("The URL has no host: " + uri);
        }
        int port = uri.getPort() == -1 ? 80 : uri.getPort();
        InetSocketAddress address = new InetSocketAddress(uri.getHost(), port);
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("Cannot resolve the host of " + uri);
        }
        return new Target(uri, address);
    }
}
