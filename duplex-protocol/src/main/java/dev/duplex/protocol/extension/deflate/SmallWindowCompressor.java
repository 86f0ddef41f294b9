package dev.duplex.protocol.extension.deflate;

import dev.duplex.protocol.ByteOutput;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A DEFLATE compressor whose LZ77 window is 2^8 to 2^14 bytes, for peers that ask for
 * {@code *_max_window_bits} below 15. The JDK's {@code Deflater} has a fixed 15-bit window, and a
 * back-reference farther than the peer's window corrupts its output, so this class finds matches
 * itself (hash chains over 3-byte prefixes, greedy) and codes them with the fixed Huffman code
 * of RFC 1951 §3.2.6. It is slower and compresses less than zlib; it is used only when a peer
 * asks for a small window.
 *
 * <p>Not thread safe.
 */
final class SmallWindowCompressor implements MessageCompressor {
    private static final int MIN_MATCH = 3;
    private static final int MAX_MATCH = 258;
    private static final int HASH_BITS = 12;
    private static final int MAX_CHAIN = 32;
    private static final int END_OF_BLOCK = 256;

    private static final int[] LENGTH_BASE = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59,
        67, 83, 99, 115, 131, 163, 195, 227, 258};
    private static final int[] LENGTH_EXTRA = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4,
        5, 5, 5, 5, 0};
    private static final int[] DISTANCE_BASE = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385,
        513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
    private static final int[] DISTANCE_EXTRA = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10,
        10, 11, 11, 12, 12, 13, 13};

    /** Fixed literal/length codes, bit-reversed for the LSB-first bit stream, and their lengths. */
    private static final int[] LITERAL_CODE = new int[288];
    private static final int[] LITERAL_BITS = new int[288];
    private static final int[] DISTANCE_CODE = new int[30];

    static {
        for (int symbol = 0; symbol < 288; symbol++) {
            int code;
            int bits;
            if (symbol < 144) {
                code = 0x30 + symbol;
                bits = 8;
            } else if (symbol < 256) {
                code = 0x190 + symbol - 144;
                bits = 9;
            } else if (symbol < 280) {
                code = symbol - 256;
                bits = 7;
            } else {
                code = 0xC0 + symbol - 280;
                bits = 8;
            }
            LITERAL_CODE[symbol] = Integer.reverse(code) >>> (32 - bits);
            LITERAL_BITS[symbol] = bits;
        }
        for (int d = 0; d < 30; d++) {
            DISTANCE_CODE[d] = Integer.reverse(d) >>> 27;
        }
    }

    private final int window;
    private final int[] head = new int[1 << HASH_BITS];
    private final int[] previous;
    private byte[] data = new byte[0];
    private int historyLength;

    private ByteBuffer out;
    private long bits;
    private int bitCount;

    /** Largest distance emitted so far; tests check it never passes the window. */
    int maxDistanceEmitted;

    SmallWindowCompressor(int windowBits) {
        if (windowBits < DeflateOptions.MIN_WINDOW_BITS || windowBits > 14) {
            throw new IllegalArgumentException("Window bits must be 8-14: " + windowBits);
        }
        this.window = 1 << windowBits;
        this.previous = new int[window];
    }

    @Override
    public void compress(ByteBuffer input, ByteOutput output) {
        int n = input.remaining();
        int end = historyLength + n;
        if (data.length < end) {
            data = Arrays.copyOf(data, Math.max(end, data.length * 2));
        }
        input.get(data, historyLength, n);
        // Worst case: 9 bits per literal, plus block header, end of block and the flush.
        out = output.reserve(n + (n >>> 3) + 16);
        indexHistory(end);
        writeBits(0b010, 3); // BFINAL = 0, BTYPE = 01 (fixed Huffman)
        int pos = historyLength;
        while (pos < end) {
            int match = pos + MIN_MATCH <= end ? longestMatch(pos, end) : 0;
            int length = match >>> 16;
            if (length >= MIN_MATCH) {
                int distance = match & 0xFFFF;
                writeMatch(length, distance);
                for (int k = 0; k < length; k++) {
                    insert(pos + k, end);
                }
                pos += length;
            } else {
                writeSymbol(data[pos] & 0xFF);
                insert(pos, end);
                pos++;
            }
        }
        writeSymbol(END_OF_BLOCK);
        writeBits(0, 3); // an empty stored block: the sync flush …
        flushToByte();
        out.put((byte) 0).put((byte) 0).put((byte) 0xFF).put((byte) 0xFF); // … LEN 0000, NLEN FFFF
        out = null;
        keepHistory(end);
    }

    /** Hashes the history's positions so the new input can refer back into it. */
    private void indexHistory(int end) {
        Arrays.fill(head, 0);
        for (int i = 0; i < historyLength; i++) {
            insert(i, end);
        }
    }

    private void insert(int pos, int end) {
        if (pos + MIN_MATCH > end) {
            return;
        }
        int h = hash(pos);
        previous[pos & (window - 1)] = head[h];
        head[h] = pos + 1; // 0 means "none"
    }

    private int hash(int pos) {
        int v = ((data[pos] & 0xFF) << 16) | ((data[pos + 1] & 0xFF) << 8) | (data[pos + 2] & 0xFF);
        return (v * 0x9E3779B1) >>> (32 - HASH_BITS);
    }

    /** The best (length << 16 | distance) within the window, or 0. */
    private int longestMatch(int pos, int end) {
        int maxLength = Math.min(MAX_MATCH, end - pos);
        int best = 0;
        int bestDistance = 0;
        int candidate = head[hash(pos)] - 1;
        for (int chain = 0; chain < MAX_CHAIN && candidate >= 0; chain++) {
            int distance = pos - candidate;
            if (distance > window || distance <= 0) {
                break;
            }
            int length = 0;
            while (length < maxLength && data[candidate + length] == data[pos + length]) {
                length++;
            }
            if (length > best) {
                best = length;
                bestDistance = distance;
                if (length == maxLength) {
                    break;
                }
            }
            int next = previous[candidate & (window - 1)] - 1;
            if (next >= candidate) {
                break; // the slot was reused by a newer position: the chain ends here
            }
            candidate = next;
        }
        return best >= MIN_MATCH ? (best << 16) | bestDistance : 0;
    }

    private void writeMatch(int length, int distance) {
        int lengthCode = codeFor(LENGTH_BASE, length);
        writeSymbol(257 + lengthCode);
        writeBits(length - LENGTH_BASE[lengthCode], LENGTH_EXTRA[lengthCode]);
        int distanceCode = codeFor(DISTANCE_BASE, distance);
        writeBits(DISTANCE_CODE[distanceCode], 5);
        writeBits(distance - DISTANCE_BASE[distanceCode], DISTANCE_EXTRA[distanceCode]);
        maxDistanceEmitted = Math.max(maxDistanceEmitted, distance);
    }

    /** The index of the last base not above {@code value}. */
    private static int codeFor(int[] bases, int value) {
        int i = bases.length - 1;
        while (bases[i] > value) {
            i--;
        }
        return i;
    }

    private void writeSymbol(int symbol) {
        writeBits(LITERAL_CODE[symbol], LITERAL_BITS[symbol]);
    }

    private void writeBits(int value, int count) {
        bits |= (long) value << bitCount;
        bitCount += count;
        while (bitCount >= 8) {
            out.put((byte) bits);
            bits >>>= 8;
            bitCount -= 8;
        }
    }

    private void flushToByte() {
        if (bitCount > 0) {
            out.put((byte) bits);
        }
        bits = 0;
        bitCount = 0;
    }

    /** Keeps the last window of input for the next message (context takeover). */
    private void keepHistory(int end) {
        int keep = Math.min(window, end);
        System.arraycopy(data, end - keep, data, 0, keep);
        historyLength = keep;
    }

    @Override
    public void reset() {
        historyLength = 0;
    }

    @Override
    public void end() {
        data = new byte[0];
        historyLength = 0;
    }
}
