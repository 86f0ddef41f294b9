package dev.duplex.bench.engine;

import dev.duplex.protocol.ByteOutput;
import dev.duplex.protocol.Connection;
import dev.duplex.protocol.ConnectionListener;
import dev.duplex.protocol.Limits;
import dev.duplex.protocol.Opcode;
import dev.duplex.protocol.ProtocolException;
import dev.duplex.protocol.Role;
import dev.duplex.protocol.frame.FrameBits;
import dev.duplex.protocol.frame.FrameWriter;
import java.nio.ByteBuffer;
import java.util.Arrays;
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
 * A server {@link Connection} receiving one whole masked frame per operation, as when a read
 * returns exactly one client message: header parsing, unmasking in place, UTF-8 validation for
 * text, and delivery to the listener without a copy.
 *
 * <p>{@link Connection#receive} unmasks its input in place, so each operation first restores the
 * masked frame with one absolute bulk put from a pristine copy; {@link #restoreOnly} measures that
 * copy alone, to subtract.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrameParseBenchmark {

    /** The frame's type and payload. */
    public enum Payload {
        BINARY, TEXT_ASCII, TEXT_UTF8
    }

    private static final int MASK_KEY = 0x1A2B3C4D;

    @State(Scope.Thread)
    public static class Frame {
        @Param({"20", "125", "1024", "16384", "65536"})
        public int size;

        @Param({"BINARY", "TEXT_ASCII", "TEXT_UTF8"})
        public Payload payload;

        /** The masked frame as it came off the wire. */
        byte[] pristine;
        /** The reused read buffer, unmasked in place by each operation. */
        ByteBuffer input;
        Connection connection;
        final Sink sink = new Sink();
        final ByteOutput out = new ByteOutput(256, false);

        @Setup
        public void setUp() {
            byte[] data = switch (payload) {
                case BINARY -> Payloads.random(size);
                case TEXT_ASCII -> Payloads.Text.ASCII.utf8(size);
                case TEXT_UTF8 -> Payloads.Text.MIXED.utf8(size);
            };
            Opcode opcode = payload == Payload.BINARY ? Opcode.BINARY : Opcode.TEXT;
            pristine = maskedFrame(opcode, data);
            input = ByteBuffer.allocate(pristine.length);
            connection = new Connection(Role.SERVER, Limits.defaults(), null);

            // Check once that the benchmark measures what it claims: one whole message, intact.
            sink.check = ByteBuffer.allocate(size);
            input.put(0, pristine).clear();
            connection.receive(input, out, sink);
            if (sink.messages != 1 || sink.text != (opcode == Opcode.TEXT) || !Arrays.equals(sink.check.array(), data)
                    || connection.isFailed() || connection.state() != Connection.State.OPEN) {
                throw new IllegalStateException("The frame was not received as one intact message");
            }
            sink.check = null;
        }
    }

    @State(Scope.Thread)
    public static class Copy {
        @Param({"20", "125", "1024", "16384", "65536"})
        public int size;

        byte[] pristine;
        ByteBuffer input;

        @Setup
        public void setUp() {
            pristine = maskedFrame(Opcode.BINARY, Payloads.random(size));
            input = ByteBuffer.allocate(pristine.length);
        }
    }

    /** Restores the masked input, then parses, unmasks, validates and delivers it. */
    @Benchmark
    public void receive(Frame frame, Blackhole bh) {
        frame.input.put(0, frame.pristine).clear();
        frame.sink.bh = bh;
        frame.connection.receive(frame.input, frame.out, frame.sink);
    }

    /** Baseline: the input restore alone, included in {@link #receive}. */
    @Benchmark
    public ByteBuffer restoreOnly(Copy copy) {
        return copy.input.put(0, copy.pristine).clear();
    }

    static byte[] maskedFrame(Opcode opcode, byte[] data) {
        ByteBuffer frame = ByteBuffer.allocate(FrameBits.headerSize(data.length, true) + data.length);
        FrameWriter.writeFrame(frame, FrameWriter.firstByte(true, 0, opcode.code()), ByteBuffer.wrap(data), true, MASK_KEY);
        if (frame.hasRemaining()) {
            throw new IllegalStateException("Frame size mismatch");
        }
        return frame.array();
    }

    /** Consumes each message through the Blackhole, as an application that reads it would. */
    static final class Sink implements ConnectionListener {
        Blackhole bh;
        ByteBuffer check;
        int messages;
        boolean text;

        @Override
        public void onText(ByteBuffer utf8) {
            text = true;
            consume(utf8);
        }

        @Override
        public void onBinary(ByteBuffer data) {
            text = false;
            consume(data);
        }

        private void consume(ByteBuffer message) {
            if (check != null) {
                messages++;
                check.put(message.duplicate());
                return;
            }
            bh.consume(message);
            bh.consume(message.remaining());
        }

        @Override
        public void onMessagePart(boolean isText, ByteBuffer part, boolean last) {
            throw new IllegalStateException("Unexpected streamed part");
        }

        @Override
        public void onProtocolError(ProtocolException error) {
            throw new IllegalStateException("Unexpected protocol error", error);
        }
    }
}
