package dev.duplex.conformance.fuzzing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

/** The strict inflater decodes what zlib writes and refuses what a peer must not send. */
class StrictInflaterTest {

    /** Raw DEFLATE of {@code data} with a sync flush, the trailing 00 00 ff ff removed (RFC 7692 §7.2.1). */
    static byte[] compress(Deflater d, byte[] data) {
        d.setInput(data);
        byte[] out = new byte[data.length * 2 + 64];
        int n = 0;
        for (int i = 0; i < 10 && (n == 0 || !d.needsInput()); i++) {
            n += d.deflate(out, n, out.length - n, Deflater.SYNC_FLUSH); // a new strategy takes a call of its own
        }
        assertThat(n).isLessThan(out.length);
        assertThat(Arrays.copyOfRange(out, n - 4, n)).containsExactly(0, 0, 0xFF, 0xFF);
        return Arrays.copyOf(out, n - 4);
    }

    private static byte[] text(int length, long seed) {
        Random r = new Random(seed);
        String[] words = {"alpha", "beta", "gamma", "delta", "\"key\": ", "{", "}", "ä", "ß", "—", "\n"};
        StringBuilder s = new StringBuilder();
        while (s.length() < length) {
            s.append(words[r.nextInt(words.length)]).append(' ').append(r.nextInt(100));
        }
        return s.substring(0, length).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] random(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** {@code block} random octets, then the same octets again: a match {@code block} octets back. */
    private static byte[] repeatedAt(int block) {
        byte[] b = random(block, 7);
        byte[] out = Arrays.copyOf(b, block * 2);
        System.arraycopy(b, 0, out, block, block);
        return out;
    }

    @Test
    void decodesStoredFixedAndDynamicBlocks() throws Exception {
        for (int level : new int[] {0, 1, 6, 9}) {
            for (byte[] data : new byte[][] {new byte[0], text(10, 1), text(5000, 2), text(200_000, 3), random(70_000, 4)}) {
                Deflater d = new Deflater(level, true);
                byte[] c = compress(d, data);
                assertThat(new StrictInflater(15, false).inflate(c)).as("level %d, %d octets", level, data.length).isEqualTo(data);
                d.end();
            }
        }
    }

    @Test
    void refusesBackReferencesBeyondTheWindow() throws Exception {
        Deflater d = new Deflater(6, true);
        byte[] c = compress(d, repeatedAt(2000));
        assertThat(new StrictInflater(11, false).inflate(c)).isEqualTo(repeatedAt(2000));
        assertThatThrownBy(() -> new StrictInflater(10, false).inflate(c)).hasMessageContaining("beyond the agreed window of 1024");
        assertThatThrownBy(() -> new StrictInflater(9, false).inflate(c)).hasMessageContaining("max_window_bits=9");
    }

    @Test
    void huffmanOnlyFitsAnyWindow() throws Exception {
        Deflater d = new Deflater(6, true);
        d.setStrategy(Deflater.HUFFMAN_ONLY);
        byte[] data = text(50_000, 5);
        assertThat(new StrictInflater(8, true).inflate(compress(d, data))).isEqualTo(data);
    }

    @Test
    void contextTakeoverOnlyWhenAgreed() throws Exception {
        byte[] m = text(3000, 6);
        Deflater d = new Deflater(6, true);
        byte[] first = compress(d, m);
        byte[] second = compress(d, m); // refers back into the first message
        assertThat(second.length).isLessThan(first.length / 4);

        StrictInflater takeover = new StrictInflater(15, true);
        assertThat(takeover.inflate(first)).isEqualTo(m);
        assertThat(takeover.inflate(second)).isEqualTo(m);

        StrictInflater none = new StrictInflater(15, false);
        assertThat(none.inflate(first)).isEqualTo(m);
        assertThatThrownBy(() -> none.inflate(second)).hasMessageContaining("no context takeover was agreed");

        // With context takeover the history kept is the window, no more.
        StrictInflater small = new StrictInflater(9, true);
        Deflater h = new Deflater(6, true);
        h.setStrategy(Deflater.HUFFMAN_ONLY);
        assertThat(small.inflate(compress(h, m))).isEqualTo(m);
        assertThatThrownBy(() -> small.inflate(second)).hasMessageContaining("beyond the agreed window of 512");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void acceptsAFinalBlockFollowedByTheEmptyStoredBlock() throws Exception {
        byte[] finalX = {0x01, 0x01, 0x00, (byte) 0xFE, (byte) 0xFF, 'x', 0x00};
        assertThat(new StrictInflater(15, true).inflate(finalX)).containsExactly('x');
    }

    @Test
    void refusesMalformedData() {
        StrictInflater s = new StrictInflater(15, false);
        assertThatThrownBy(() -> s.inflate(new byte[] {0x07})).hasMessageContaining("block type 3");
        // Stored block, LEN 1 but NLEN not its complement.
        assertThatThrownBy(() -> s.inflate(new byte[] {0x00, 0x01, 0x00, 0x00, 0x00, 'x'})).hasMessageContaining("NLEN");
        byte[] ok = compress(new Deflater(6, true), text(4000, 8));
        assertThatThrownBy(() -> s.inflate(Arrays.copyOf(ok, ok.length - 3))).isInstanceOf(StrictInflater.MalformedException.class);
        // Trailing octets after the sync flush.
        byte[] withTail = Arrays.copyOf(ok, ok.length + 4);
        System.arraycopy(new byte[] {0, 0, (byte) 0xFF, (byte) 0xFF}, 0, withTail, ok.length, 4);
        assertThatThrownBy(() -> s.inflate(withTail)).isInstanceOf(StrictInflater.MalformedException.class);
        // BFINAL (RFC 7692 §7.2.3.5): then only empty stored blocks may follow.
        byte[] finalX = {0x01, 0x01, 0x00, (byte) 0xFE, (byte) 0xFF, 'x'};
        assertThatThrownBy(() -> s.inflate(concat(finalX, new byte[] {0x00, 0x01, 0x00, (byte) 0xFE, (byte) 0xFF, 'y', 0x00})))
                .hasMessageContaining("BFINAL");
        // Fixed Huffman: literal/length symbol 286 (11000110 reversed) is invalid.
        assertThatThrownBy(() -> s.inflate(new byte[] {(byte) 0b00011011, 0b00000011})).hasMessageContaining("symbol 286");
    }
}
