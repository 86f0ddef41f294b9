package dev.duplex.conformance.fuzzing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.conformance.cases.AutobahnCase;
import dev.duplex.conformance.cases.AutobahnCases;
import dev.duplex.conformance.cases.CaseResult;
import dev.duplex.conformance.cases.Frame;
import dev.duplex.conformance.cases.Verdict;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;

/**
 * The compression cases notice peers that get permessage-deflate wrong: hand-written echo peers
 * that ignore an agreed window or context takeover, answer the handshake wrongly, or set RSV1
 * where it does not belong, are failed, and honest ones pass.
 */
class CompressionSelfTest {
    private static final Duration LIMIT = Duration.ofSeconds(10);

    /** How the hand-written peer compresses its echoes. */
    private record Behaviour(boolean huffmanOnly, boolean resetEachMessage, boolean rsv1OnContinuation) {
        static Behaviour zlib(boolean reset) {
            return new Behaviour(false, reset, false);
        }
    }

    private static AutobahnCase reduced(String id) {
        return AutobahnCases.compression(3).stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
    }

    /** Runs case {@code id} of the fuzzing client against a one-connection rogue server. */
    private static CaseResult againstServer(String id, UnaryOperator<String> respond, Behaviour b) throws Exception {
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread server = new Thread(() -> {
                try (Socket s = listener.accept()) {
                    InputStream in = new BufferedInputStream(s.getInputStream());
                    OutputStream out = new BufferedOutputStream(s.getOutputStream());
                    Handshakes.Request request = Handshakes.readRequest(in, out);
                    Handshakes.accept(out, request, respond.apply(request.head().header("Sec-WebSocket-Extensions")));
                    echo(in, out, false, b);
                } catch (IOException e) {
                    // the fuzzer dropped us: that is its verdict
                }
            }, "rogue-server");
            server.setDaemon(true);
            server.start();
            CaseResult r = new FuzzingClient(URI.create("ws://127.0.0.1:" + listener.getLocalPort() + "/")).withTimeLimit(LIMIT)
                    .run(reduced(id));
            server.join(LIMIT.toMillis());
            return r;
        }
    }

    /** Echoes messages until a close, compressing as {@code b} says (RFC 7692 framing, our own zlib use). */
    private static void echo(InputStream in, OutputStream out, boolean client, Behaviour b) throws IOException {
        FrameReader reader = new FrameReader(in);
        FrameEncoder encoder = new FrameEncoder(client, 1);
        Deflater deflater = new Deflater(6, true);
        if (b.huffmanOnly()) {
            deflater.setStrategy(Deflater.HUFFMAN_ONLY);
        }
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        int opcode = 0;
        boolean compressed = false;
        for (int frames = 0; frames < 100_000; frames++) {
            PeerFrame f = reader.next();
            if (f == null) {
                return;
            }
            if (f.opcode() == Frame.CLOSE) {
                out.write(encoder.encode(Frame.close(1000)));
                out.flush();
                return;
            }
            if (f.opcode() != Frame.CONTINUATION) {
                opcode = f.opcode();
                compressed = f.rsv() != 0;
                message.reset();
            }
            message.writeBytes(f.payload());
            if (!f.fin()) {
                continue;
            }
            byte[] data = compressed ? inflate(message.toByteArray()) : message.toByteArray();
            byte[] c = StrictInflaterTest.compress(deflater, data);
            if (b.resetEachMessage()) {
                deflater.reset();
            }
            if (b.rsv1OnContinuation()) {
                int half = c.length / 2;
                out.write(encoder.encode(false, 4, opcode, c, 0, half));
                out.write(encoder.encode(true, 4, Frame.CONTINUATION, c, half, c.length));
            } else {
                out.write(encoder.encode(true, 4, opcode, c, 0, c.length));
            }
            out.flush();
        }
    }

    /** The fuzzer resets its compressor after every message in these scenarios, so a new inflater each time. */
    private static byte[] inflate(byte[] payload) throws IOException {
        Inflater inflater = new Inflater(true);
        try {
            byte[] in = Arrays.copyOf(payload, payload.length + 4);
            in[payload.length + 2] = (byte) 0xFF;
            in[payload.length + 3] = (byte) 0xFF;
            inflater.setInput(in);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[65536];
            for (int i = 0; i < 10_000 && !inflater.needsInput(); i++) {
                out.write(buf, 0, inflater.inflate(buf));
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new IOException(e);
        } finally {
            inflater.end();
        }
    }

    @Test
    void honestServersPass() throws Exception {
        // Context takeover kept (allowed: the client did not ask for server_no_context_takeover), 15-bit window.
        assertThat(againstServer("12.1.10", o -> "permessage-deflate; client_no_context_takeover", Behaviour.zlib(false)).verdict())
                .isEqualTo(Verdict.OK);
        // A 9-bit window honoured by using no back-references at all.
        assertThat(againstServer("13.3.5", o -> "permessage-deflate; server_max_window_bits=9; client_no_context_takeover",
                new Behaviour(true, false, false)).verdict()).isEqualTo(Verdict.OK);
    }

    @Test
    void serverIgnoringTheAgreedWindowFails() throws Exception {
        CaseResult r = againstServer("13.3.10", o -> "permessage-deflate; server_max_window_bits=9", Behaviour.zlib(true));
        assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
        assertThat(r.detail()).contains("beyond the agreed window of 512");
    }

    @Test
    void serverKeepingContextAgainstServerNoContextTakeoverFails() throws Exception {
        CaseResult r = againstServer("13.2.5", o -> "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
                Behaviour.zlib(false));
        assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
        assertThat(r.detail()).contains("no context takeover was agreed");
    }

    @Test
    void invalidResponsesFailTheHandshake() throws Exception {
        CaseResult missing = againstServer("13.2.1", o -> "permessage-deflate; client_no_context_takeover", Behaviour.zlib(true));
        assertThat(missing.verdict()).isEqualTo(Verdict.FAILED);
        assertThat(missing.detail()).contains("server_no_context_takeover was asked for");
        CaseResult larger = againstServer("13.3.1", o -> "permessage-deflate; server_max_window_bits=10", Behaviour.zlib(true));
        assertThat(larger.detail()).contains("larger than the 9 asked for");
        CaseResult noValue = againstServer("12.1.1", o -> "permessage-deflate; client_max_window_bits", Behaviour.zlib(true));
        assertThat(noValue.detail()).contains("needs a value in a response");
        CaseResult unknown = againstServer("12.1.1", o -> "permessage-deflate; x_window=1", Behaviour.zlib(true));
        assertThat(unknown.detail()).contains("unknown parameter");
        CaseResult twice = againstServer("12.1.1", o -> "permessage-deflate, permessage-deflate", Behaviour.zlib(true));
        assertThat(twice.verdict()).isEqualTo(Verdict.FAILED);
    }

    @Test
    void serverDecliningIsUnimplemented() throws Exception {
        assertThat(againstServer("12.1.1", o -> null, Behaviour.zlib(true)).verdict()).isEqualTo(Verdict.UNIMPLEMENTED);
    }

    @Test
    void rsv1OnAContinuationFrameFails() throws Exception {
        CaseResult r = againstServer("12.1.5", o -> "permessage-deflate; client_no_context_takeover", new Behaviour(false, true, true));
        assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
        assertThat(r.detail()).contains("continuation");
    }

    @Test
    void clientIgnoringClientMaxWindowBitsFails() throws Exception {
        try (FuzzingServer fuzzer = FuzzingServer.start(java.util.List.of(reduced("13.3.10")), LIMIT)) {
            URI uri = fuzzer.uri();
            try (Socket s = new Socket(uri.getHost(), uri.getPort())) {
                s.setSoTimeout((int) LIMIT.toMillis());
                InputStream in = new BufferedInputStream(s.getInputStream());
                OutputStream out = new BufferedOutputStream(s.getOutputStream());
                Handshakes.Head head = Handshakes.client(in, out, uri.getHost() + ":" + uri.getPort(), "/runCase?case=1&agent=rogue",
                        new Random(1), "permessage-deflate; server_no_context_takeover; client_max_window_bits");
                assertThat(head.header("Sec-WebSocket-Extensions"))
                        .isEqualTo("permessage-deflate; server_no_context_takeover; client_max_window_bits=9");
                try {
                    echo(in, out, true, Behaviour.zlib(false)); // a 15-bit window although 9 bits were agreed
                } catch (IOException e) {
                    // the fuzzer dropped us
                }
            }
            CaseResult r = fuzzer.awaitResult("rogue", "13.3.10", LIMIT);
            assertThat(r).isNotNull();
            assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
            assertThat(r.detail()).contains("beyond the agreed window of 512");
        }
    }

    @Test
    void clientWithAnInvalidOfferFails() throws Exception {
        try (FuzzingServer fuzzer = FuzzingServer.start(java.util.List.of(reduced("13.1.1")), LIMIT)) {
            URI uri = fuzzer.uri();
            try (Socket s = new Socket(uri.getHost(), uri.getPort())) {
                s.setSoTimeout((int) LIMIT.toMillis());
                InputStream in = new BufferedInputStream(s.getInputStream());
                OutputStream out = new BufferedOutputStream(s.getOutputStream());
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> Handshakes.client(in, out, uri.getHost() + ":" + uri.getPort(),
                        "/runCase?case=1&agent=rogue", new Random(1), "permessage-deflate; server_max_window_bits=16"))
                        .hasMessageContaining("400");
            }
            CaseResult r = fuzzer.awaitResult("rogue", "13.1.1", LIMIT);
            assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
            assertThat(r.detail()).contains("outside 8-15");
        }
    }
}
