package dev.duplex.transport;

import java.nio.ByteBuffer;

/**
 * The TLS working buffers of one event loop, shared by all its TLS connections: decrypted input
 * goes into {@link #appIn}, encrypted output is assembled in {@link #netOut}. A connection uses them
 * only within one call on the loop thread, so connections hold no packet-sized buffers of their own
 * (an idle TLS connection would otherwise pin about 33 KiB), and a loop that never sees TLS never
 * allocates them.
 *
 * <p>Not thread-safe: used only on its loop's thread.
 */
final class TlsBuffers {
    /** Records assembled per socket write, so a large write costs one syscall per ~64 KiB, not per record. */
    static final int RECORDS_PER_WRITE = 4;

    private final ByteBuffer[] single = new ByteBuffer[1];
    private ByteBuffer appIn;
    private ByteBuffer netOut;

    /** {@code src} as a one-element array for a gathering wrap; the caller clears it afterwards. */
    ByteBuffer[] single(ByteBuffer src) {
        single[0] = src;
        return single;
    }

    /** The plaintext buffer, cleared, with at least {@code minBytes} of room. */
    ByteBuffer appIn(int minBytes) {
        if (appIn == null || appIn.capacity() < minBytes) {
            appIn = ByteBuffer.allocate(minBytes);
        }
        return appIn.clear();
    }

    /** {@link #appIn} after a BUFFER_OVERFLOW: at least twice as large, or {@code minBytes}. */
    ByteBuffer growAppIn(int minBytes) {
        int size = Math.max(minBytes, appIn == null ? minBytes : appIn.capacity() * 2);
        appIn = ByteBuffer.allocate(size);
        return appIn;
    }

    /** The ciphertext buffer, cleared, with at least {@code minBytes} of room. Direct: it goes to the socket. */
    ByteBuffer netOut(int minBytes) {
        if (netOut == null || netOut.capacity() < minBytes) {
            netOut = ByteBuffer.allocateDirect(minBytes);
        }
        return netOut.clear();
    }

    /** {@link #netOut} after a BUFFER_OVERFLOW: at least twice as large, or {@code minBytes}. */
    ByteBuffer growNetOut(int minBytes) {
        int size = Math.max(minBytes, netOut == null ? minBytes : netOut.capacity() * 2);
        netOut = ByteBuffer.allocateDirect(size);
        return netOut;
    }
}
