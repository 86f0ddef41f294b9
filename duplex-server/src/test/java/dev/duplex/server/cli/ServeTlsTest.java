package dev.duplex.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duplex.hub.HubServer;
import dev.duplex.server.tls.SelfSignedCertificate;
import dev.duplex.server.tls.ServerCredentials;
import dev.duplex.server.tls.TlsSetupException;
import dev.duplex.websocket.WebSocket;
import dev.duplex.websocket.WebSocketClient;
import dev.duplex.websocket.WebSocketListener;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code duplex serve --tls-*}: each way of giving a certificate starts a wss:// server a trusting client reaches. */
class ServeTlsTest {
    @TempDir
    Path dir;

    private static ServeCommand parse(String... args) {
        return parse(java.util.Map.of(), args);
    }

    private static ServeCommand parse(java.util.Map<String, String> environment, String... args) {
        ServeCommand serve = new ServeCommand();
        serve.environment = environment;
        new CommandLine(serve).parseArgs(args);
        return serve;
    }

    private static final String[] LOOPBACK = {"--port", "0", "--host", "127.0.0.1"};

    private static String[] withLoopback(String... args) {
        String[] all = new String[LOOPBACK.length + args.length];
        System.arraycopy(LOOPBACK, 0, all, 0, LOOPBACK.length);
        System.arraycopy(args, 0, all, LOOPBACK.length, args.length);
        return all;
    }

    /** Connects over wss:// trusting only {@code certificate}, sends one text and expects it back. */
    private static void assertEchoesOverWss(HubServer server, X509Certificate certificate, String host) throws Exception {
        BlockingQueue<String> echoes = new LinkedBlockingQueue<>();
        try (WebSocketClient client = WebSocketClient.builder().sslContext(trusting(certificate)).build()) {
            WebSocket ws = client.connect(URI.create("wss://" + host + ":" + server.port() + "/echo"), new WebSocketListener() {
                @Override
                public void onText(WebSocket ws, String text) {
                    echoes.add(text);
                }
            }).get(20, TimeUnit.SECONDS);
            ws.sendText("hello over wss");
            assertThat(echoes.poll(20, TimeUnit.SECONDS)).isEqualTo("hello over wss");
            ws.close(1000, "");
        }
    }

    private static SSLContext trusting(X509Certificate certificate) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("server", certificate);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    @Test
    void selfSignedServesWssAndWritesThePemAClientCanTrust() throws Exception {
        ServeCommand serve = parse(withLoopback("--tls-self-signed"));
        try (HubServer server = serve.start()) {
            assertThat(server.webSocketServer().scheme()).isEqualTo("wss");
            Path pem = serve.tls.selfSignedPem();
            assertThat(pem).exists();
            X509Certificate written;
            try (InputStream in = Files.newInputStream(pem)) {
                written = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
            assertThat(ServerCredentials.sha256Fingerprint(written)).isEqualTo(serve.tls.credentials().sha256Fingerprint())
                    .matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
            assertThat(String.join("\n", serve.tls.describe())).contains(pem.toString())
                    .contains(serve.tls.credentials().sha256Fingerprint());
            assertEchoesOverWss(server, written, "localhost");
            assertEchoesOverWss(server, written, "127.0.0.1");
        } finally {
            if (serve.tls != null) {
                Files.deleteIfExists(serve.tls.selfSignedPem());
            }
        }
    }

    @Test
    void pemCertificateWithPkcs8Key() throws Exception {
        ServerCredentials credentials = SelfSignedCertificate.generate(List.of("localhost"));
        Path cert = writePem(dir.resolve("cert.pem"), credentials.certificate());
        Path key = writePkcs8(dir.resolve("key.pem"), credentials.key());
        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
        try (HubServer server = parse(withLoopback("--tls-cert", cert.toString(), "--tls-key", key.toString())).start()) {
            assertEchoesOverWss(server, credentials.certificate(), "localhost");
        }
    }

    @Test
    void pemCertificateWithSec1EcKey() throws Exception {
        ServerCredentials credentials = SelfSignedCertificate.generate(List.of("localhost"));
        Path cert = writePem(dir.resolve("cert.pem"), credentials.certificate());
        Path key = writeSec1(dir.resolve("key.pem"), credentials);
        assertThat(Files.readString(key)).startsWith("-----BEGIN EC PRIVATE KEY-----");
        try (HubServer server = parse(withLoopback("--tls-cert", cert.toString(), "--tls-key", key.toString())).start()) {
            assertEchoesOverWss(server, credentials.certificate(), "localhost");
        }
    }

    @Test
    void pemCertificateWithPkcs1RsaKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair keys = generator.generateKeyPair();
        X509Certificate certificate = rsaCertificate(keys, "localhost");
        Path cert = writePem(dir.resolve("cert.pem"), certificate);
        Path key = writePem(dir.resolve("key.pem"), keys.getPrivate());
        assertThat(Files.readString(key)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        try (HubServer server = parse(withLoopback("--tls-cert", cert.toString(), "--tls-key", key.toString())).start()) {
            assertEchoesOverWss(server, certificate, "localhost");
        }
    }

    @Test
    void pkcs12KeystoreWithPassword() throws Exception {
        ServerCredentials credentials = SelfSignedCertificate.generate(List.of("localhost"));
        Path p12 = writePkcs12(dir.resolve("server.p12"), credentials, "s3cret");
        try (HubServer server = parse(java.util.Map.of("DUPLEX_TLS_KEYSTORE_PASSWORD", "s3cret"),
                withLoopback("--tls-keystore", p12.toString())).start()) {
            assertEchoesOverWss(server, credentials.certificate(), "localhost");
        }
    }

    /**
     * Regression (security review 2026-12, finding 10): the keystore password could be given as a
     * flag, where every user of the machine sees it in ps. The flag is refused with what to do instead.
     */
    @Test
    void aPasswordOnTheCommandLineIsRefused() {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        ServeCommand serve = new ServeCommand();
        serve.environment = java.util.Map.of();
        serve.err = new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8);
        int exit = new CommandLine(serve).execute("--port", "0", "--tls-keystore", "x.p12", "--tls-keystore-password", "s3cret");
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("DUPLEX_TLS_KEYSTORE_PASSWORD")
                .contains("every user of this machine").doesNotContain("s3cret");
    }

    @Test
    void clearErrors() throws Exception {
        ServerCredentials one = SelfSignedCertificate.generate(List.of("localhost"));
        ServerCredentials other = SelfSignedCertificate.generate(List.of("localhost"));
        Path cert = writePem(dir.resolve("cert.pem"), one.certificate());
        Path otherKey = writePkcs8(dir.resolve("other-key.pem"), other.key());
        Path missing = dir.resolve("missing.pem");
        Path p12 = writePkcs12(dir.resolve("server.p12"), one, "right");

        assertThatThrownBy(() -> parse(withLoopback("--tls-cert", missing.toString(), "--tls-key", otherKey.toString())).start())
                .isInstanceOf(TlsSetupException.class).hasMessageContaining(missing.toString()).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> parse(withLoopback("--tls-cert", cert.toString(), "--tls-key", otherKey.toString())).start())
                .isInstanceOf(TlsSetupException.class).hasMessageContaining("does not match the certificate");
        assertThatThrownBy(() -> parse(java.util.Map.of("DUPLEX_TLS_KEYSTORE_PASSWORD", "wrong"),
                withLoopback("--tls-keystore", p12.toString())).start())
                .isInstanceOf(TlsSetupException.class).hasMessageContaining("Wrong password");
        assertThatThrownBy(() -> parse(withLoopback("--tls-cert", otherKey.toString(), "--tls-key", otherKey.toString())).start())
                .isInstanceOf(TlsSetupException.class).hasMessageContaining("no PEM certificate");
        assertThatThrownBy(() -> parse(withLoopback("--tls-cert", cert.toString())).start())
                .isInstanceOf(TlsSetupException.class).hasMessageContaining("--tls-key");
        assertThatThrownBy(() -> parse(withLoopback("--tls-self-signed", "--tls-keystore", p12.toString())).start())
                .isInstanceOf(TlsSetupException.class).hasMessageContaining("one TLS source");
    }

    @Test
    void aTlsErrorExitsWith2AndAOneLineMessage() {
        java.io.PrintStream before = System.err;
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = DuplexCommand.commandLine().execute("serve", "--port", "0", "--host", "127.0.0.1",
                    "--tls-cert", dir.resolve("nope.pem").toString(), "--tls-key", dir.resolve("nope.key").toString());
            assertThat(code).isEqualTo(2);
        } finally {
            System.setErr(before);
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("duplex serve: The TLS certificate file").contains("nope.pem");
    }

    // ---------------------------------------------------------------- helpers

    private static Path writePem(Path file, Object object) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object); // a PrivateKey comes out in the traditional format: RSA/EC PRIVATE KEY
        }
        Files.writeString(file, out.toString(), StandardCharsets.US_ASCII);
        return file;
    }

    /** SEC1 as {@code openssl ecparam -genkey} writes it: with the curve and the public key inside. */
    private static Path writeSec1(Path file, ServerCredentials credentials) throws Exception {
        org.bouncycastle.asn1.pkcs.PrivateKeyInfo info =
                org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(credentials.key().getEncoded());
        BigInteger d = ((java.security.interfaces.ECPrivateKey) credentials.key()).getS();
        org.bouncycastle.asn1.x509.SubjectPublicKeyInfo publicKey = org.bouncycastle.asn1.x509.SubjectPublicKeyInfo
                .getInstance(credentials.certificate().getPublicKey().getEncoded());
        org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, d,
                publicKey.getPublicKeyData(), info.getPrivateKeyAlgorithm().getParameters());
        StringWriter out = new StringWriter();
        try (org.bouncycastle.util.io.pem.PemWriter writer = new org.bouncycastle.util.io.pem.PemWriter(out)) {
            writer.writeObject(new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY", sec1.getEncoded()));
        }
        Files.writeString(file, out.toString(), StandardCharsets.US_ASCII);
        return file;
    }

    private static Path writePkcs8(Path file, PrivateKey key) throws Exception {
        Files.writeString(file, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n", StandardCharsets.US_ASCII);
        return file;
    }

    private static Path writePkcs12(Path file, ServerCredentials credentials, String password) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", credentials.key(), password.toCharArray(),
                credentials.chain().toArray(Certificate[]::new));
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password.toCharArray());
        }
        return file;
    }

    private static X509Certificate rsaCertificate(KeyPair keys, String host) throws Exception {
        X500Name name = new X500Name("CN=" + host);
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), name, keys.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.dNSName, host)));
        return new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())));
    }
}
