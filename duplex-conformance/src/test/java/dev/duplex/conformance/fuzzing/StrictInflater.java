package dev.duplex.conformance.fuzzing;

import java.util.Arrays;

/**
 * Decompresses the peer's permessage-deflate messages (RFC 7692 §7.2.2) with a raw DEFLATE decoder
 * of its own (RFC 1951: stored, fixed and dynamic Huffman blocks), stricter than zlib: zlib
 * inflates with a 32 KiB window whatever was agreed, so it cannot tell whether the peer's
 * compressor kept within {@code *_max_window_bits}. This one fails on
 *
 * <ul>
 *   <li>a back-reference farther than the agreed window, 2^max_window_bits octets;
 *   <li>a back-reference before the start of the message when no context takeover was agreed (or
 *       before the start of the retained history with context takeover);
 *   <li>any malformation: reserved block type 3, stored LEN/NLEN mismatch, over-subscribed or
 *       incomplete Huffman codes (zlib's rules: only a single one-bit code may be incomplete), too
 *       many length or distance codes, a repeat with nothing to repeat or past the end, no
 *       end-of-block code, literal/length symbols 286–287, distance symbols 30–31;
 *   <li>a message that does not end exactly at the end of an empty stored block once
 *       {@code 00 00 ff ff} is appended (a missing sync flush, or trailing octets);
 *   <li>blocks after a block with BFINAL set, other than empty stored blocks.
 * </ul>
 *
 * Not thread safe: one per direction of one connection.
 */
final class StrictInflater {
    /** Why a compressed message is not acceptable. */
    static final class MalformedException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedException(String message) {
            super(message);
        }
    }

    private static final byte[] TAIL = {0, 0, (byte) 0xFF, (byte) 0xFF};
    private static final int[] LENGTH_BASE = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83,
        99, 115, 131, 163, 195, 227, 258};
    private static final int[] LENGTH_EXTRA = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5,
        5, 0};
    private static final int[] DISTANCE_BASE = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769,
        1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
    private static final int[] DISTANCE_EXTRA = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11,
        11, 12, 12, 13, 13};
    private static final int[] CODE_LENGTH_ORDER = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
    private static final Huffman FIXED_LITERALS;
    private static final Huffman FIXED_DISTANCES;

    static {
        int[] lengths = new int[288];
        Arrays.fill(lengths, 0, 144, 8);
        Arrays.fill(lengths, 144, 256, 9);
        Arrays.fill(lengths, 256, 280, 7);
        Arrays.fill(lengths, 280, 288, 8);
        int[] distances = new int[32];
        Arrays.fill(distances, 5);
        try {
            FIXED_LITERALS = Huffman.build(lengths, 0, 288, false);
            FIXED_DISTANCES = Huffman.build(distances, 0, 32, false);
        } catch (MalformedException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int windowBits;
    private final int window;
    private final boolean contextTakeover;
    /** With context takeover: the last (at most {@link #window}) octets of earlier messages. */
    private byte[] history = new byte[0];
    private long messages;
    private int largestDistance;

    // Per message.
    private byte[] in;
    private int inPos;
    private long bitBuffer;
    private int bitCount;
    private byte[] out;
    private int outLength;
    private int messageStart;

    /**
     * @param windowBits the peer's agreed {@code *_max_window_bits}, 8–15
     * @param contextTakeover whether the peer may refer back into earlier messages
     */
    StrictInflater(int windowBits, boolean contextTakeover) {
        if (windowBits < 8 || windowBits > 15) {
            throw new IllegalArgumentException("windowBits must be 8-15: " + windowBits);
        }
        this.windowBits = windowBits;
        this.window = 1 << windowBits;
        this.contextTakeover = contextTakeover;
    }

    /** The largest back-reference distance seen so far, for reports and self-tests. */
    int largestDistance() {
        return largestDistance;
    }

    /**
     * Inflates one message's payload (all its frames' payloads joined, as received, without the
     * tail the sender removed).
     */
    byte[] inflate(byte[] payload) throws MalformedException {
        messages++;
        in = Arrays.copyOf(payload, payload.length + TAIL.length);
        System.arraycopy(TAIL, 0, in, payload.length, TAIL.length);
        inPos = 0;
        bitBuffer = 0;
        bitCount = 0;
        out = new byte[Math.max(256, history.length + payload.length * 4)];
        System.arraycopy(history, 0, out, 0, history.length);
        outLength = history.length;
        messageStart = history.length;
        boolean sawFinal = false;
        try {
            while (true) {
                boolean last = bits(1) == 1;
                int type = bits(2);
                boolean emptyStored;
                switch (type) {
                    case 0 -> emptyStored = stored();
                    case 1 -> {
                        huffman(FIXED_LITERALS, FIXED_DISTANCES);
                        emptyStored = false;
                    }
                    case 2 -> {
                        dynamic();
                        emptyStored = false;
                    }
                    default -> throw new MalformedException("block type 3 is reserved (RFC 1951 §3.2.3)");
                }
                if (sawFinal && !emptyStored) {
                    throw new MalformedException("a block with data after a block with BFINAL set");
                }
                sawFinal |= last;
                if (emptyStored && inPos == in.length) {
                    break; // the appended 00 00 ff ff completed the empty stored block of a sync flush
                }
                if (inPos == in.length && bitCount == 0) {
                    throw new MalformedException("the data does not end with an empty stored block (the sync flush whose"
                            + " 00 00 ff ff the sender removes, RFC 7692 §7.2.1)");
                }
            }
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new MalformedException("internal decoder error: " + e);
        }
        byte[] message = Arrays.copyOfRange(out, messageStart, outLength);
        if (contextTakeover && !sawFinal) {
            int keep = Math.min(window, outLength);
            history = Arrays.copyOfRange(out, outLength - keep, outLength);
        } else {
            history = new byte[0]; // after BFINAL the peer starts a new stream, as zlib would
        }
        in = null;
        out = null;
        return message;
    }

    // ---- blocks ----

    /** A stored block; true when it is empty. */
    private boolean stored() throws MalformedException {
        // Align to a byte: drop the rest of the current byte, give back whole bytes read ahead.
        bitCount -= bitCount & 7;
        inPos -= bitCount >>> 3;
        bitBuffer = 0;
        bitCount = 0;
        if (in.length - inPos < 4) {
            throw truncated("a stored block's LEN and NLEN");
        }
        int len = (in[inPos] & 0xFF) | (in[inPos + 1] & 0xFF) << 8;
        int nlen = (in[inPos + 2] & 0xFF) | (in[inPos + 3] & 0xFF) << 8;
        inPos += 4;
        if (len != (~nlen & 0xFFFF)) {
            throw new MalformedException("stored block LEN " + len + " does not match NLEN " + nlen);
        }
        if (in.length - inPos < len) {
            throw truncated("a stored block of " + len + " octets");
        }
        ensureRoom(len);
        System.arraycopy(in, inPos, out, outLength, len);
        inPos += len;
        outLength += len;
        return len == 0;
    }

    private void dynamic() throws MalformedException {
        int literalCodes = bits(5) + 257;
        int distanceCodes = bits(5) + 1;
        int lengthCodes = bits(4) + 4;
        if (literalCodes > 286 || distanceCodes > 30) {
            throw new MalformedException("too many length (" + literalCodes + ") or distance (" + distanceCodes + ") codes");
        }
        int[] codeLengthLengths = new int[19];
        for (int i = 0; i < lengthCodes; i++) {
            codeLengthLengths[CODE_LENGTH_ORDER[i]] = bits(3);
        }
        Huffman codeLengths = Huffman.build(codeLengthLengths, 0, 19, true);
        int[] lengths = new int[literalCodes + distanceCodes];
        for (int n = 0; n < lengths.length; ) {
            int symbol = decode(codeLengths);
            if (symbol < 16) {
                lengths[n++] = symbol;
                continue;
            }
            int repeat;
            int value = 0;
            if (symbol == 16) {
                if (n == 0) {
                    throw new MalformedException("code length repeat (16) with no previous length");
                }
                value = lengths[n - 1];
                repeat = 3 + bits(2);
            } else if (symbol == 17) {
                repeat = 3 + bits(3);
            } else {
                repeat = 11 + bits(7);
            }
            if (n + repeat > lengths.length) {
                throw new MalformedException("code length repeat past the " + lengths.length + " lengths announced");
            }
            Arrays.fill(lengths, n, n + repeat, value);
            n += repeat;
        }
        if (lengths[256] == 0) {
            throw new MalformedException("no end-of-block code in a dynamic block");
        }
        huffman(Huffman.build(lengths, 0, literalCodes, false), Huffman.build(lengths, literalCodes, distanceCodes, false));
    }

    private void huffman(Huffman literals, Huffman distances) throws MalformedException {
        while (true) {
            int symbol = decode(literals);
            if (symbol < 256) {
                ensureRoom(1);
                out[outLength++] = (byte) symbol;
            } else if (symbol == 256) {
                return;
            } else {
                symbol -= 257;
                if (symbol >= 29) {
                    throw new MalformedException("invalid literal/length symbol " + (symbol + 257));
                }
                int length = LENGTH_BASE[symbol] + bits(LENGTH_EXTRA[symbol]);
                int d = decode(distances);
                if (d >= 30) {
                    throw new MalformedException("invalid distance symbol " + d);
                }
                int distance = DISTANCE_BASE[d] + bits(DISTANCE_EXTRA[d]);
                if (distance > window) {
                    throw new MalformedException("back-reference " + distance + " octets back, beyond the agreed window of "
                            + window + " (max_window_bits=" + windowBits + "), at octet " + (outLength - messageStart)
                            + " of message " + messages);
                }
                if (distance > outLength) {
                    throw new MalformedException("back-reference " + distance + " octets back at octet " + (outLength - messageStart)
                            + " of message " + messages + ", before the start of the "
                            + (contextTakeover ? "retained context (" + messageStart + " octets of earlier messages)"
                            : "message (no context takeover was agreed)"));
                }
                largestDistance = Math.max(largestDistance, distance);
                ensureRoom(length);
                int from = outLength - distance;
                for (int k = 0; k < length; k++) {
                    out[outLength++] = out[from + k];
                }
            }
        }
    }

    // ---- bits ----

    private int bits(int n) throws MalformedException {
        if (n == 0) {
            return 0;
        }
        while (bitCount < n) {
            if (inPos == in.length) {
                throw truncated("a block");
            }
            bitBuffer |= (long) (in[inPos++] & 0xFF) << bitCount;
            bitCount += 8;
        }
        int v = (int) (bitBuffer & ((1L << n) - 1));
        bitBuffer >>>= n;
        bitCount -= n;
        return v;
    }

    private int decode(Huffman h) throws MalformedException {
        while (bitCount < h.bits && inPos < in.length) {
            bitBuffer |= (long) (in[inPos++] & 0xFF) << bitCount;
            bitCount += 8;
        }
        int entry = h.table[(int) (bitBuffer & ((1 << h.bits) - 1))];
        int length = entry & 0xF;
        if (entry < 0 || length > bitCount) {
            if (entry >= 0 || bitCount < h.bits) {
                throw truncated("a Huffman code");
            }
            throw new MalformedException("a bit pattern that is no code of an incomplete Huffman code");
        }
        bitBuffer >>>= length;
        bitCount -= length;
        return entry >>> 4;
    }

    private void ensureRoom(int n) {
        if (outLength + n > out.length) {
            out = Arrays.copyOf(out, Math.max(outLength + n, out.length * 2));
        }
    }

    private MalformedException truncated(String what) {
        return new MalformedException("the data ends inside " + what + " (no sync flush at the end of the message?)");
    }

    /** A canonical Huffman code as a lookup table indexed by the next {@code bits} input bits (LSB first). */
    private static final class Huffman {
        /** Entry: symbol << 4 | code length, or -1 for a bit pattern that is no code. */
        final int[] table;
        final int bits;

        private Huffman(int[] table, int bits) {
            this.table = table;
            this.bits = bits;
        }

        /**
         * Builds the code for {@code count} lengths from {@code lengths[from]}; {@code mustBeComplete}
         * for the code length code. zlib's rules: over-subscribed is an error; incomplete is an error
         * unless the code is a single code of one bit (or empty: then any use of it is an error).
         */
        static Huffman build(int[] lengths, int from, int count, boolean mustBeComplete) throws MalformedException {
            int[] perLength = new int[16];
            int max = 0;
            for (int i = 0; i < count; i++) {
                int len = lengths[from + i];
                perLength[len]++;
                max = Math.max(max, len);
            }
            String what = mustBeComplete ? "code length" : count == 32 || count <= 30 ? "distance" : "literal/length";
            if (max == 0) {
                if (mustBeComplete) {
                    throw new MalformedException("empty code length code");
                }
                int[] none = {-1, -1};
                return new Huffman(none, 1);
            }
            int left = 1;
            for (int len = 1; len <= 15; len++) {
                left <<= 1;
                left -= perLength[len];
                if (left < 0) {
                    throw new MalformedException("over-subscribed " + what + " Huffman code");
                }
            }
            if (left > 0 && (mustBeComplete || max != 1)) {
                throw new MalformedException("incomplete " + what + " Huffman code");
            }
            int[] next = new int[16];
            int code = 0;
            perLength[0] = 0;
            for (int len = 1; len <= 15; len++) {
                code = (code + perLength[len - 1]) << 1;
                next[len] = code;
            }
            int[] table = new int[1 << max];
            Arrays.fill(table, -1);
            for (int symbol = 0; symbol < count; symbol++) {
                int len = lengths[from + symbol];
                if (len == 0) {
                    continue;
                }
                int reversed = Integer.reverse(next[len]++) >>> (32 - len);
                for (int i = reversed; i < table.length; i += 1 << len) {
                    table[i] = symbol << 4 | len;
                }
            }
            return new Huffman(table, max);
        }
    }
}
