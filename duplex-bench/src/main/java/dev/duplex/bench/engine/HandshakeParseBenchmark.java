package dev.duplex.bench.engine;

import dev.duplex.protocol.handshake.HandshakeRejection;
import dev.duplex.protocol.handshake.HttpHeadParser;
import dev.duplex.protocol.handshake.HttpLimits;
import dev.duplex.protocol.handshake.HttpRequest;
import dev.duplex.protocol.handshake.ServerHandshake;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The server side of an opening handshake for a typical Chrome upgrade request (about 500 bytes,
 * with a permessage-deflate offer the default policy declines), in three cumulative steps: collect
 * and parse the head; validate it as an upgrade; build the 101 response bytes. A
 * {@link HttpHeadParser} serves one request, so each operation makes a new one, as a connection does.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class HandshakeParseBenchmark {

    static final String CHROME_REQUEST = "GET /chat?room=lobby HTTP/1.1\r\n"
            + "Host: example.com:8080\r\n"
            + "Connection: Upgrade\r\n"
            + "Pragma: no-cache\r\n"
            + "Cache-Control: no-cache\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "Chrome/131.0.0.0 Safari/537.36\r\n"
            + "Upgrade: websocket\r\n"
            + "Origin: https://example.com\r\n"
            + "Sec-WebSocket-Version: 13\r\n"
            + "Accept-Encoding: gzip, deflate, br, zstd\r\n"
            + "Accept-Language: en-US,en;q=0.9\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
            + "\r\n";

    private final HttpLimits limits = HttpLimits.defaults();
    private final ServerHandshake.Policy policy = new ServerHandshake.Policy() { };
    private ByteBuffer input;

    @Setup
    public void setUp() throws HandshakeRejection {
        input = ByteBuffer.wrap(CHROME_REQUEST.getBytes(StandardCharsets.ISO_8859_1));
        String response = new String(respond(), StandardCharsets.ISO_8859_1);
        if (!response.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n")) {
            throw new IllegalStateException("Unexpected handshake response: " + response);
        }
    }

    @Benchmark
    public HttpRequest parseHead() throws HandshakeRejection {
        HttpHeadParser parser = new HttpHeadParser(limits);
        input.clear();
        if (!parser.feed(input)) {
            throw new IllegalStateException("Incomplete head");
        }
        return parser.request();
    }

    @Benchmark
    public ServerHandshake.Accepted parseAndAccept() throws HandshakeRejection {
        return ServerHandshake.accept(parseHead(), policy);
    }

    @Benchmark
    public byte[] parseAcceptAndRespond() throws HandshakeRejection {
        return respond();
    }

    private byte[] respond() throws HandshakeRejection {
        return parseAndAccept().responseBytes(List.of());
    }
}
