package dev.duplex.bench.engine;

import dev.duplex.protocol.frame.Utf8Validator;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
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
 * {@link Utf8Validator} over a whole text payload, against the JDK's UTF-8 {@link CharsetDecoder}
 * with {@link CodingErrorAction#REPORT} into a preallocated {@link CharBuffer}: the standard way to
 * validate UTF-8 in Java. The decoder also produces the characters, so it does more work; it is
 * the baseline a hand-written validator has to beat to be worth having.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class Utf8ValidationBenchmark {

    @Param({"1024", "65536"})
    public int size;

    @Param({"ASCII", "LATIN1", "CJK", "EMOJI"})
    public Payloads.Text content;

    private ByteBuffer input;
    private final Utf8Validator validator = new Utf8Validator();
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private CharBuffer chars;

    @Setup
    public void setUp() {
        input = ByteBuffer.wrap(content.utf8(size));
        chars = CharBuffer.allocate(size);
        if (duplexValidator() != -1 || !jdkDecoder().isUnderflow()) {
            throw new IllegalStateException("Benchmark input is not valid UTF-8");
        }
    }

    /** Returns -1 for valid input, as {@link dev.duplex.protocol.Connection} requires at the message end. */
    @Benchmark
    public int duplexValidator() {
        validator.reset();
        int bad = validator.validate(input, 0, size);
        return bad < 0 && !validator.isComplete() ? size : bad;
    }

    @Benchmark
    public CoderResult jdkDecoder() {
        input.clear();
        chars.clear();
        decoder.reset();
        CoderResult result = decoder.decode(input, chars, true);
        if (result.isUnderflow()) {
            result = decoder.flush(chars);
        }
        return result;
    }
}
