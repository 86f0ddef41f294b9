package dev.duplex.bench.engine;

import dev.duplex.protocol.frame.Masking;
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
 * {@link Masking#mask} in place over a whole payload, on a heap buffer, a direct buffer (what a
 * transport reads into) and a byte[] (the array overload). Masking twice restores the input, so
 * the buffer is simply reused.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class MaskingBenchmark {

    /** Where the payload lives. */
    public enum Memory {
        HEAP, DIRECT, ARRAY
    }

    @Param({"20", "125", "1024", "16384", "65536"})
    public int size;

    @Param({"HEAP", "DIRECT", "ARRAY"})
    public Memory memory;

    private ByteBuffer buffer;
    private byte[] array;
    private int maskKey;

    @Setup
    public void setUp() {
        byte[] data = Payloads.random(size);
        maskKey = 0x1A2B3C4D;
        switch (memory) {
            case HEAP -> buffer = ByteBuffer.wrap(data);
            case DIRECT -> buffer = ByteBuffer.allocateDirect(size).put(data).clear();
            case ARRAY -> array = data;
        }
    }

    @Benchmark
    public Object mask() {
        if (array != null) {
            Masking.mask(array, 0, size, maskKey, 0);
            return array;
        }
        Masking.mask(buffer, 0, size, maskKey, 0);
        return buffer;
    }
}
