package dev.duplex.protocol;

import java.nio.ByteBuffer;

/**
 * A growable output buffer that the caller owns: the engine appends encoded frames to it, the
 * transport drains it. One instance can serve every connection of an event loop, because the
 * transport empties it after each batch; nothing is allocated per frame once it has grown.
 *
 * <p>This class is not thread safe.
 */
public final class ByteOutput {
    private final int initialCapacity;
    private final boolean direct;
    private ByteBuffer buffer;

    /**
     * @param initialCapacity starting size in bytes; it doubles as needed
     * @param direct whether to use a direct buffer (cheaper socket writes)
     */
    public ByteOutput(int initialCapacity, boolean direct) {
        if (initialCapacity <= 0) {
            throw new IllegalArgumentException("initialCapacity must be positive: " + initialCapacity);
        }
        this.initialCapacity = initialCapacity;
        this.direct = direct;
        this.buffer = allocate(initialCapacity);
    }

    /**
     * Returns the buffer in write mode (position = bytes written so far) with at least
     * {@code bytes} remaining. The returned reference is valid until the next call.
     */
    public ByteBuffer reserve(int bytes) {
        if (buffer.remaining() < bytes) {
            long needed = (long) buffer.position() + bytes;
            if (needed > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("Output of " + needed + " bytes exceeds the largest buffer");
            }
            int capacity = buffer.capacity();
            while (capacity < needed) {
                capacity = (int) Math.min(Integer.MAX_VALUE - 8L, capacity * 2L);
            }
            ByteBuffer grown = allocate(capacity);
            buffer.flip();
            grown.put(buffer);
            buffer = grown;
        }
        return buffer;
    }

    /** Bytes written and not yet cleared. */
    public int size() {
        return buffer.position();
    }

    public boolean isEmpty() {
        return buffer.position() == 0;
    }

    /**
     * Flips the buffer for reading and returns it; the caller drains it and then calls
     * {@link #clear()}.
     */
    public ByteBuffer flip() {
        return buffer.flip();
    }

    /**
     * Forgets all bytes. A buffer that grew past {@code 16 ×} its initial capacity (a large message)
     * is released so one burst does not pin memory for the life of the loop.
     */
    public void clear() {
        if (buffer.capacity() > initialCapacity * 16L) {
            buffer = allocate(initialCapacity);
        } else {
            buffer.clear();
        }
    }

    private ByteBuffer allocate(int capacity) {
        return direct ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity);
    }
}
