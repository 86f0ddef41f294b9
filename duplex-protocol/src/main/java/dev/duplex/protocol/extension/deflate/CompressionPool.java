package dev.duplex.protocol.extension.deflate;

import dev.duplex.protocol.ByteOutput;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.zip.Inflater;

/**
 * Compression state shared by the connections of one event loop. A connection without context
 * takeover borrows a compressor or an inflater only while it processes a message, so an idle
 * connection with compression negotiated holds no zlib state at all; a few instances per loop
 * serve thousands of connections. Also holds the loop's scratch buffers for compression.
 *
 * <p>Not thread safe: one per event loop thread.
 */
public final class CompressionPool {
    /** Instances kept per kind; more are created when needed and ended when returned. */
    private static final int MAX_IDLE = 4;
    /** Inflated bytes are produced in pieces of this size, so a bomb costs at most one piece past the limit. */
    public static final int INFLATE_PIECE_BYTES = 16 * 1024;

    @SuppressWarnings("unchecked")
    private final ArrayDeque<MessageCompressor>[] compressors = new ArrayDeque[16 * 10];
    private final ArrayDeque<Inflater> inflaters = new ArrayDeque<>();
    private final ByteOutput plain = new ByteOutput(4096, false);
    private final ByteOutput compressed = new ByteOutput(4096, false);
    private final ByteBuffer inflated = ByteBuffer.allocate(INFLATE_PIECE_BYTES);
    private int created;
    private int ended;

    MessageCompressor takeCompressor(int windowBits, int level) {
        ArrayDeque<MessageCompressor> idle = compressors[key(windowBits, level)];
        MessageCompressor compressor = idle == null ? null : idle.poll();
        if (compressor == null) {
            created++;
            compressor = newCompressor(windowBits, level);
        }
        return compressor;
    }

    void giveCompressor(int windowBits, int level, MessageCompressor compressor) {
        int key = key(windowBits, level);
        if (compressors[key] == null) {
            compressors[key] = new ArrayDeque<>(MAX_IDLE);
        }
        if (compressors[key].size() < MAX_IDLE) {
            compressor.reset();
            compressors[key].push(compressor);
        } else {
            compressor.end();
            ended++;
        }
    }

    Inflater takeInflater() {
        Inflater inflater = inflaters.poll();
        if (inflater == null) {
            created++;
            inflater = new Inflater(true);
        }
        return inflater;
    }

    void giveInflater(Inflater inflater) {
        if (inflaters.size() < MAX_IDLE) {
            inflater.reset();
            inflaters.push(inflater);
        } else {
            inflater.end();
            ended++;
        }
    }

    static MessageCompressor newCompressor(int windowBits, int level) {
        return windowBits == DeflateOptions.MAX_WINDOW_BITS ? new ZlibCompressor(level) : new SmallWindowCompressor(windowBits);
    }

    /** Scratch for the uncompressed bytes of an outgoing text message. */
    ByteOutput plainScratch() {
        return plain;
    }

    /** Scratch for compressed bytes before they are framed. */
    ByteOutput compressedScratch() {
        return compressed;
    }

    /** Scratch for one piece of inflated output. */
    ByteBuffer inflatedScratch() {
        return inflated;
    }

    /** zlib objects created minus those ended, for leak checks: pooled ones included. */
    public int liveNativeObjects() {
        return created - ended;
    }

    /** Ends every pooled instance; the pool can still be used afterwards. */
    public void endIdle() {
        for (ArrayDeque<MessageCompressor> idle : compressors) {
            while (idle != null && !idle.isEmpty()) {
                idle.pop().end();
                ended++;
            }
        }
        while (!inflaters.isEmpty()) {
            inflaters.pop().end();
            ended++;
        }
    }

    void countEnded() {
        ended++;
    }

    private static int key(int windowBits, int level) {
        return windowBits * 10 + level;
    }
}
