package dev.duplex.conformance.fuzzing;

import java.io.IOException;
import java.util.Arrays;
import java.util.zip.Deflater;

/**
 * The fuzzing peer's permessage-deflate for one connection: it compresses its own messages with the
 * JDK's zlib and decompresses the peer's with {@link StrictInflater}, held to the window and
 * context takeover the peer agreed to.
 *
 * <p>zlib's window is always 15 bits; when the peer limits ours to fewer, we compress with
 * Huffman coding only (no back-references at all), which honours any window.
 *
 * <p>{@link #compress} is used by one thread (the writer), {@link #inflate} by another (the reader).
 */
final class DeflateCodec {
    private static final byte[] TAIL = {0, 0, (byte) 0xFF, (byte) 0xFF};

    private final Deflater deflater;
    private final boolean resetAfterMessage;
    private final StrictInflater inflater;
    private final String description;

    private DeflateCodec(int ownBits, boolean ownNoContext, int peerBits, boolean peerNoContext, String description) {
        this.deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        if (ownBits < 15) {
            deflater.setStrategy(Deflater.HUFFMAN_ONLY);
        }
        this.resetAfterMessage = ownNoContext;
        this.inflater = new StrictInflater(peerBits, !peerNoContext);
        this.description = description;
    }

    /** For the fuzzing client: we compress as the client, the server under test as the server. */
    static DeflateCodec forClient(DeflateParams p) {
        return new DeflateCodec(p.clientMaxWindowBits(), p.clientNoContextTakeover(), p.serverMaxWindowBits(),
                p.serverNoContextTakeover(), p.toString());
    }

    /** For the fuzzing server: we compress as the server, the client under test as the client. */
    static DeflateCodec forServer(DeflateParams p) {
        return new DeflateCodec(p.serverMaxWindowBits(), p.serverNoContextTakeover(), p.clientMaxWindowBits(),
                p.clientNoContextTakeover(), p.toString());
    }

    /** A message's compressed payload, the trailing {@code 00 00 ff ff} removed (RFC 7692 §7.2.1). */
    byte[] compress(byte[] message) throws IOException {
        deflater.setInput(message);
        byte[] out = new byte[message.length + (message.length >>> 3) + 64];
        int n = 0;
        for (int calls = 0; ; calls++) {
            n += deflater.deflate(out, n, out.length - n, Deflater.SYNC_FLUSH);
            if (n < out.length && deflater.needsInput()) {
                break; // all input taken and room left: the flush is complete
            }
            if (calls > 1000) {
                throw new IOException("zlib made no progress compressing " + message.length + " octets");
            }
            if (n == out.length) {
                out = Arrays.copyOf(out, out.length * 2); // a strategy change may take a call of its own first
            }
        }
        if (n < 4 || !Arrays.equals(out, n - 4, n, TAIL, 0, 4)) {
            throw new IOException("zlib's sync flush did not end in 00 00 ff ff");
        }
        if (resetAfterMessage) {
            deflater.reset();
        }
        return Arrays.copyOf(out, n - 4);
    }

    /** The peer's message, inflated strictly. */
    byte[] inflate(byte[] payload) throws StrictInflater.MalformedException {
        return inflater.inflate(payload);
    }

    void end() {
        deflater.end();
    }

    @Override
    public String toString() {
        return description;
    }
}
