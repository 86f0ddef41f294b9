package dev.duplex.bench.engine;

import dev.duplex.protocol.ByteOutput;
import dev.duplex.protocol.Connection;
import dev.duplex.protocol.ConnectionListener;
import dev.duplex.protocol.Limits;
import dev.duplex.protocol.Role;
import dev.duplex.protocol.extension.deflate.CompressionPool;
import dev.duplex.protocol.extension.deflate.DeflateAgreement;
import dev.duplex.protocol.extension.deflate.PerMessageDeflate;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * permessage-deflate through the engine: a server compressing and sending one JSON-like text
 * message, and a server receiving and inflating one (the client's compressed frame, prepared once
 * and restored before each operation). Window 15 uses zlib; smaller windows use Duplex's own
 * LZ77 compressor. No context takeover, as by default: state is borrowed from the pool per message.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class DeflateBenchmark {

    @Param({"1024", "16384"})
    public int size;

    @Param({"15", "10"})
    public int windowBits;

    private String text;
    private ByteOutput out;
    private Connection sender;
    private Connection receiver;
    private final ByteOutput receiverOut = new ByteOutput(256, false);
    private ConnectionListener sink;
    private ByteBuffer pristineFrame;
    private ByteBuffer frame;
    private Blackhole blackhole;

    @Setup
    public void setUp(Blackhole bh) {
        this.blackhole = bh;
        StringBuilder json = new StringBuilder();
        for (int i = 0; json.length() < size; i++) {
            json.append("{\"sensor\":\"temperature-").append(i % 17).append("\",\"value\":").append(20 + i % 9)
                    .append(".5,\"unit\":\"C\"},");
        }
        text = json.substring(0, size);
        out = new ByteOutput(64 * 1024, true);
        CompressionPool pool = new CompressionPool();
        DeflateAgreement agreement = new DeflateAgreement(true, true, windowBits, windowBits, 6, 0);
        ConnectionListener sink = new ConnectionListener() {
            @Override
            public void onText(ByteBuffer utf8) {
                blackhole.consume(utf8);
            }
        };
        sender = new Connection(Role.SERVER, Limits.defaults(), null, new PerMessageDeflate(agreement, pool));
        this.sink = sink;
        // The frame a client would send: compressed and masked once, replayed for every receive.
        ByteOutput clientOut = new ByteOutput(64 * 1024, false);
        Connection client = new Connection(Role.CLIENT, Limits.defaults(), new FastMaskSource(7),
                new PerMessageDeflate(agreement, new CompressionPool()));
        client.sendText(text, clientOut);
        ByteBuffer written = clientOut.flip();
        pristineFrame = ByteBuffer.allocate(written.remaining()).put(written).flip();
        frame = ByteBuffer.allocate(pristineFrame.remaining());
        receiver = new Connection(Role.SERVER, Limits.defaults(), null,
                new PerMessageDeflate(agreement, pool));
    }

    @Benchmark
    public int compressAndSend() {
        out.clear();
        sender.sendText(text, out);
        return out.size();
    }

    @Benchmark
    public void receiveAndInflate() {
        frame.clear();
        frame.put(0, pristineFrame, 0, pristineFrame.remaining()).limit(pristineFrame.remaining());
        receiver.receive(frame, receiverOut, sink);
    }
}
