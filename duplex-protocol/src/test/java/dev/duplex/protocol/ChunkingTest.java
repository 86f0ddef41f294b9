package dev.duplex.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.protocol.EventRecorder.Event;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every vector, fed whole, split in two at every byte offset, and byte by byte, must give the same
 * events and the same output: TCP may cut the stream anywhere.
 */
class ChunkingTest {

    /** A named input for a connection of the given role. */
    record Vector(String name, Role role, byte[] bytes) {
        @Override
        public String toString() {
            return name + " (" + role + ", " + bytes.length + " bytes)";
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] pattern(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 7 + 3);
        }
        return bytes;
    }

    static Stream<Arguments> vectors() {
        List<Vector> v = new ArrayList<>();
        // RFC 6455 §5.7
        v.add(new Vector("RFC unmasked Hello", Role.CLIENT, Hex.parse("81 05 48 65 6c 6c 6f")));
        v.add(new Vector("RFC masked Hello", Role.SERVER, Hex.parse("81 85 37 fa 21 3d 7f 9f 4d 51 58")));
        v.add(new Vector("RFC fragments", Role.CLIENT, Hex.parse("01 03 48 65 6c 80 02 6c 6f")));
        v.add(new Vector("RFC ping", Role.CLIENT, Hex.parse("89 05 48 65 6c 6c 6f")));
        v.add(new Vector("RFC masked pong", Role.SERVER, Hex.parse("8a 85 37 fa 21 3d 7f 9f 4d 51 58")));
        v.add(new Vector("RFC 256-byte binary", Role.CLIENT, RawFrames.concat(Hex.parse("82 7e 01 00"), pattern(256))));
        v.add(new Vector("RFC 64 KiB binary", Role.CLIENT, RawFrames.concat(Hex.parse("82 7f 00 00 00 00 00 01 00 00"), pattern(65536))));
        // Length boundaries, masked
        for (int length : new int[] {0, 125, 126, 65535}) {
            v.add(new Vector("masked binary of " + length, Role.SERVER, RawFrames.binary(pattern(length)).masked().bytes()));
        }
        v.add(new Vector("masked text with a 64-bit length", Role.SERVER,
                RawFrames.text("Hello").lengthForm(RawFrames.LengthForm.BITS_64).masked().bytes()));
        // UTF-8 split across frames and reads
        byte[] kosme = utf8("κόσμε-𝄞");
        v.add(new Vector("code points split across fragments", Role.SERVER, RawFrames.concat(
                RawFrames.frame(0x1).payload(Arrays.copyOf(kosme, 1)).fin(false).masked().bytes(),
                RawFrames.continuation(Arrays.copyOfRange(kosme, 1, 11)).fin(false).masked().bytes(),
                RawFrames.continuation(Arrays.copyOfRange(kosme, 11, kosme.length)).masked().bytes())));
        v.add(new Vector("fragments with interleaved ping and pong", Role.SERVER, RawFrames.concat(
                RawFrames.text("frag1").fin(false).masked().bytes(),
                RawFrames.ping(utf8("ping")).masked().bytes(),
                RawFrames.continuation(utf8("frag2")).fin(false).masked().bytes(),
                RawFrames.pong(utf8("pong")).masked().bytes(),
                RawFrames.continuation(utf8("frag3")).masked().bytes())));
        v.add(new Vector("close with code and reason", Role.SERVER, RawFrames.close(1001, "going away").masked().bytes()));
        v.add(new Vector("empty close", Role.CLIENT, Hex.parse("88 00")));
        v.add(new Vector("message, then close, then data", Role.SERVER, RawFrames.concat(
                RawFrames.binary(pattern(10)).masked().bytes(),
                RawFrames.close(1000, "").masked().bytes(),
                RawFrames.text("ignored").masked().bytes())));
        // Errors must be found at the same point whatever the chunking.
        v.add(new Vector("overlong UTF-8 after a valid message", Role.SERVER, RawFrames.concat(
                RawFrames.text("ok").masked().bytes(),
                RawFrames.frame(0x1).payload(Hex.parse("41 42 c0 af 43")).masked().bytes())));
        v.add(new Vector("invalid UTF-8 in the 2nd fragment", Role.SERVER, RawFrames.concat(
                RawFrames.text("κόσμε").fin(false).masked().bytes(),
                RawFrames.continuation(Hex.parse("ce ba ed a0 80")).masked().bytes(),
                RawFrames.close(1000, "").masked().bytes())));
        v.add(new Vector("reserved opcode then close", Role.SERVER, RawFrames.concat(
                RawFrames.frame(0x5).payload("abc").masked().bytes(),
                RawFrames.close(1000, "").masked().bytes())));
        v.add(new Vector("invalid close code", Role.CLIENT, RawFrames.close(1005, "").bytes()));
        v.add(new Vector("mixed stream written by a client", Role.SERVER, mixedStream()));
        return v.stream().map(Arguments::of);
    }

    /** Text, binary, pings and fragmented messages, as a seeded client Connection writes them. */
    static byte[] mixedStream() {
        ByteOutput out = new ByteOutput(1024, false);
        Connection client = new Connection(Role.CLIENT, Limits.defaults(), new Random(5));
        client.sendText("Hello", out);
        client.sendBinary(ByteBuffer.wrap(pattern(300)), out);
        client.sendPing(ByteBuffer.wrap(utf8("are you there?")), out);
        client.sendPart(true, ByteBuffer.wrap(utf8("κό")), false, out);
        client.sendPing(ByteBuffer.allocate(0), out);
        client.sendPart(true, ByteBuffer.wrap(Arrays.copyOf(utf8("σμε"), 3)), false, out); // ends mid-character
        client.sendPart(true, ByteBuffer.wrap(Arrays.copyOfRange(utf8("σμε"), 3, 6)), true, out);
        client.sendText("", out);
        client.sendPong(ByteBuffer.wrap(new byte[] {1, 2, 3}), out);
        client.sendPart(false, ByteBuffer.wrap(pattern(130)), false, out);
        client.sendPart(false, ByteBuffer.allocate(0), false, out);
        client.sendPart(false, ByteBuffer.wrap(pattern(7)), true, out);
        client.sendText("𝄞 done", out);
        client.sendClose(CloseCodes.NORMAL, "bye", out);
        ByteBuffer buffer = out.flip();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    /** What a fresh connection reports and writes for the given reads. */
    record Outcome(List<Event> events, byte[] written, Connection.State state) {
        void assertSameAs(Outcome expected, String how) {
            assertThat(events).as("events, " + how).isEqualTo(expected.events);
            assertThat(written).as("written bytes, " + how).isEqualTo(expected.written);
            assertThat(state).as("state, " + how).isEqualTo(expected.state);
        }
    }

    private static Endpoint endpoint(Role role) {
        return role == Role.SERVER ? Endpoint.server() : Endpoint.client();
    }

    private static Outcome run(Vector vector, int... cuts) {
        Endpoint endpoint = endpoint(vector.role);
        int from = 0;
        for (int cut : cuts) {
            endpoint.receive(Arrays.copyOfRange(vector.bytes, from, cut));
            from = cut;
        }
        endpoint.receive(Arrays.copyOfRange(vector.bytes, from, vector.bytes.length));
        return new Outcome(endpoint.events.takeAll(), endpoint.written(), endpoint.state());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void splitInTwoAtEveryOffset(Vector vector) {
        Outcome whole = run(vector);
        assertThat(whole.events).as("every vector reports something").isNotEmpty();
        int length = vector.bytes.length;
        for (int cut = 0; cut <= length; cut++) {
            if (length > 4096 && cut > 64 && cut < length - 64 && cut % 509 != 0) {
                continue; // large vectors: every offset near the header and the end, a stride in between
            }
            run(vector, cut).assertSameAs(whole, "split at " + cut);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void byteByByte(Vector vector) {
        Outcome whole = run(vector);
        Endpoint endpoint = endpoint(vector.role).receiveByteByByte(vector.bytes);
        new Outcome(endpoint.events.takeAll(), endpoint.written(), endpoint.state()).assertSameAs(whole, "byte by byte");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void randomReadSizes(Vector vector) {
        Outcome whole = run(vector);
        Random random = new Random(vector.bytes.length);
        for (int n = 0; n < 20; n++) {
            List<Integer> cuts = new ArrayList<>();
            for (int at = random.nextInt(16); at < vector.bytes.length; at += 1 + random.nextInt(40)) {
                cuts.add(at);
            }
            run(vector, cuts.stream().mapToInt(Integer::intValue).toArray()).assertSameAs(whole, "cut at " + cuts);
        }
    }
}
