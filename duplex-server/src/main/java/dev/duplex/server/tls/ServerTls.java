package dev.duplex.server.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * The TLS a server runs with, from one of the three sources {@code duplex serve} accepts, and the
 * lines to tell the user about it.
 *
 * @param context what the server hands to {@code WebSocketServer.Builder.tls}
 * @param credentials the key and chain it presents
 * @param selfSignedPem where a generated certificate was written; {@code null} for the other sources
 */
public record ServerTls(SSLContext context, ServerCredentials credentials, Path selfSignedPem) {

    /** From a PEM chain and key ({@code --tls-cert}, {@code --tls-key}). */
    public static ServerTls fromPem(Path chainFile, Path keyFile) {
        ServerCredentials credentials = PemFiles.load(chainFile, keyFile);
        return new ServerTls(credentials.sslContext(), credentials, null);
    }

    /** From a PKCS#12 key store ({@code --tls-keystore}, {@code --tls-keystore-password}). */
    public static ServerTls fromPkcs12(Path file, char[] password) {
        ServerCredentials credentials = Pkcs12Files.load(file, password);
        return new ServerTls(credentials.sslContext(), credentials, null);
    }

    /**
     * A fresh self-signed certificate for localhost, 127.0.0.1 and ::1 ({@code --tls-self-signed}),
     * written as PEM to a new file in {@code directory} so clients can trust it.
     */
    public static ServerTls selfSigned(Path directory) {
        ServerCredentials credentials = SelfSignedCertificate.generate(SelfSignedCertificate.LOCAL_NAMES);
        Path pem;
        try {
            pem = Files.createTempFile(directory, "duplex-self-signed-", ".pem");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create a file for the self-signed certificate in " + directory, e);
        }
        SelfSignedCertificate.writePem(credentials.certificate(), pem);
        return new ServerTls(credentials.sslContext(), credentials, pem);
    }

    /** What the server prints at start: the certificate's subject, fingerprint and, if generated, where it is. */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        if (selfSignedPem != null) {
            lines.add("TLS: self-signed certificate for " + String.join(", ", SelfSignedCertificate.LOCAL_NAMES)
                    + " (generated now; clients do not trust it until told to)");
        } else {
            lines.add("TLS: certificate " + credentials.certificate().getSubjectX500Principal().getName()
                    + ", valid until " + credentials.certificate().getNotAfter().toInstant());
        }
        lines.add("TLS: SHA-256 fingerprint " + credentials.sha256Fingerprint());
        if (selfSignedPem != null) {
            lines.add("TLS: certificate written to " + selfSignedPem + "; trust it in clients, e.g. curl --cacert "
                    + selfSignedPem + ", NODE_EXTRA_CA_CERTS=" + selfSignedPem + " node ..., or a Java trust store");
        }
        return lines;
    }
}
