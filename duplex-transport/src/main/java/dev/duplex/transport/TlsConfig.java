package dev.duplex.transport;

import java.util.List;
import java.util.Objects;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * How one side of a TLS connection is set up: the {@link SSLContext} (keys and trust), the
 * protocols, and on the client the server's name for SNI and hostname verification. Immutable and
 * thread-safe; one instance serves every connection of a server or client.
 *
 * <pre>{@code
 * TlsConfig server = TlsConfig.server(sslContext);                      // TLSv1.3 and TLSv1.2
 * TlsConfig client = TlsConfig.client(SSLContext.getDefault(), "example.com");
 * }</pre>
 *
 * <p>A client verifies that the server's certificate names the host it connects to (RFC 2818,
 * {@code SSLParameters.setEndpointIdentificationAlgorithm("HTTPS")}). Without that check any
 * certificate trusted for <em>some</em> host would be accepted for every host
 * (CVE-2020-11050). Turning it off takes {@link #insecureSkipHostnameVerification()}, named so it
 * stands out in review.
 */
public final class TlsConfig {
    /** TLS 1.3 and 1.2, newest first: the versions without known weaknesses that every current peer speaks. */
    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private final SSLContext context;
    private final boolean client;
    private final String serverName;
    private final boolean verifyHostname;
    private final List<String> protocols;

    private TlsConfig(SSLContext context, boolean client, String serverName, boolean verifyHostname,
            List<String> protocols) {
        this.context = context;
        this.client = client;
        this.serverName = serverName;
        this.verifyHostname = verifyHostname;
        this.protocols = protocols;
    }

    /** The server side: the context's key manager supplies the certificate; TLSv1.3 and TLSv1.2. */
    public static TlsConfig server(SSLContext context) {
        return new TlsConfig(Objects.requireNonNull(context, "context"), false, null, false, DEFAULT_PROTOCOLS);
    }

    /**
     * The client side, connecting to {@code serverName}: a DNS name (sent as SNI and checked against
     * the certificate's DNS names) or an IP literal (checked against its IP addresses). Hostname
     * verification is on.
     */
    public static TlsConfig client(SSLContext context, String serverName) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(serverName, "serverName");
        if (serverName.isEmpty()) {
            throw new IllegalArgumentException("serverName must not be empty: it is what the certificate is checked against");
        }
        return new TlsConfig(context, true, stripBrackets(serverName), true, DEFAULT_PROTOCOLS);
    }

    /** A copy enabling exactly {@code protocols}, e.g. {@code "TLSv1.3"}. */
    public TlsConfig withProtocols(String... protocols) {
        if (protocols.length == 0) {
            throw new IllegalArgumentException("At least one protocol is needed, e.g. TLSv1.3");
        }
        return new TlsConfig(context, client, serverName, verifyHostname, List.of(protocols));
    }

    /**
     * A copy that accepts a trusted certificate issued for <em>any</em> host. Only for tests or a
     * peer reached by an address its certificate does not name; anyone holding a certificate
     * trusted by the context can then impersonate the server. Client side only.
     */
    public TlsConfig insecureSkipHostnameVerification() {
        if (!client) {
            throw new IllegalStateException("Hostname verification is a client setting; this is a server TlsConfig");
        }
        return new TlsConfig(context, true, serverName, false, protocols);
    }

    /** Whether this is the client side. */
    public boolean isClient() {
        return client;
    }

    /** The name the client connects to; {@code null} on a server. */
    public String serverName() {
        return serverName;
    }

    /** Whether a client checks the certificate against {@link #serverName()}; false on a server. */
    public boolean verifiesHostname() {
        return verifyHostname;
    }

    /** The enabled protocols. */
    public List<String> protocols() {
        return protocols;
    }

    /** The context keys and trust come from. */
    public SSLContext context() {
        return context;
    }

    /** A fresh engine for one connection; {@code peerPort} helps the client resume sessions. */
    SSLEngine newEngine(int peerPort) {
        SSLEngine engine = client ? context.createSSLEngine(serverName, peerPort) : context.createSSLEngine();
        engine.setUseClientMode(client);
        SSLParameters params = engine.getSSLParameters();
        params.setProtocols(protocols.toArray(String[]::new));
        if (client) {
            if (verifyHostname) {
                params.setEndpointIdentificationAlgorithm("HTTPS");
            }
            // SNI carries host names only (RFC 6066 §3); an IP literal is verified, never sent.
            if (!isIpLiteral(serverName)) {
                params.setServerNames(List.of(new SNIHostName(serverName)));
            }
        }
        engine.setSSLParameters(params);
        return engine;
    }

    @Override
    public String toString() {
        return client
                ? "TlsConfig[client, " + serverName + (verifyHostname ? "" : ", HOSTNAME NOT VERIFIED") + ", " + protocols + "]"
                : "TlsConfig[server, " + protocols + "]";
    }

    private static String stripBrackets(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static boolean isIpLiteral(String host) {
        if (host.indexOf(':') >= 0) {
            return true; // IPv6
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if ((c < '0' || c > '9') && c != '.') {
                return false;
            }
        }
        return true;
    }
}
