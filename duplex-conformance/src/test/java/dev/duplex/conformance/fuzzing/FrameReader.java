package dev.duplex.conformance.fuzzing;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads frames from the peer under test, blocking. Frames are returned as they are, however
 * wrong (the caller judges them), except that a payload over {@link #MAX_PAYLOAD} is refused so a
 * broken peer cannot exhaust our memory. Not thread safe.
 */
final class FrameReader {
    /** Larger than any message in the suite (16 MiB). */
    static final long MAX_PAYLOAD = 64L << 20;

    private final DataInputStream in;

    FrameReader(InputStream in) {
        this.in = new DataInputStream(in);
    }

    /** The next frame, or null at a clean end of stream between frames. */
    PeerFrame next() throws IOException {
        int b0 = in.read();
        if (b0 < 0) {
            return null;
        }
        int b1 = in.readUnsignedByte();
        long length = b1 & 0x7F;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        if (length < 0 || length > MAX_PAYLOAD) {
            throw new IOException("peer sent a frame of " + length + " octets, more than this fuzzer accepts");
        }
        boolean masked = (b1 & 0x80) != 0;
        byte[] key = new byte[4];
        if (masked) {
            in.readFully(key);
        }
        byte[] payload = new byte[(int) length];
        try {
            in.readFully(payload);
        } catch (EOFException e) {
            throw new EOFException("connection closed in the middle of a frame");
        }
        if (masked) {
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= key[i & 3];
            }
        }
        return new PeerFrame((b0 & 0x80) != 0, (b0 >> 4) & 7, b0 & 0xF, masked, payload);
    }
}
