package dev.duplex.bench.engine;

import dev.duplex.protocol.ByteOutput;
import dev.duplex.protocol.Connection;
import dev.duplex.protocol.Limits;
import dev.duplex.protocol.Role;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encoding one whole message into a {@link ByteOutput} that is cleared before each operation, as
 * the transport drains it after each batch. The output is direct with 64 KiB to start, like the
 * event loop's (duplex-websocket's LoopOutput). Text is ASCII, so {@code size} is both the byte and
 * the character count.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class FrameWriteBenchmark {

    @Param({"20", "125", "1024", "16384", "65536"})
    public int size;

    private ByteBuffer binary;
    private ByteBuffer utf8;
    private String text;
    private ByteOutput out;
    private Connection server;
    private Connection client;

    @Setup
    public void setUp() {
        binary = ByteBuffer.wrap(Payloads.random(size));
        text = Payloads.Text.ASCII.string(size);
        utf8 = ByteBuffer.wrap(Payloads.Text.ASCII.utf8(size));
        out = new ByteOutput(64 * 1024, true);
        server = new Connection(Role.SERVER, Limits.defaults(), null);
        client = new Connection(Role.CLIENT, Limits.defaults(), new FastMaskSource(42));
        // Grow the output once, as a long-running loop's already has.
        server.sendBinary(binary, out);
        out.clear();
    }

    @Benchmark
    public int serverSendBinary() {
        out.clear();
        server.sendBinary(binary, out);
        return out.size();
    }

    @Benchmark
    public int serverSendTextUtf8() {
        out.clear();
        server.sendTextUtf8(utf8, out);
        return out.size();
    }

    @Benchmark
    public int serverSendTextString() {
        out.clear();
        server.sendText(text, out);
        return out.size();
    }

    /** A client frame: the same copy plus a mask key and masking. */
    @Benchmark
    public int clientSendBinary() {
        out.clear();
        client.sendBinary(binary, out);
        return out.size();
    }
}
