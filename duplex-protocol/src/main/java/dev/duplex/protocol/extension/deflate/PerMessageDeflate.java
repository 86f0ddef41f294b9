package dev.duplex.protocol.extension.deflate;

import dev.duplex.protocol.ByteOutput;
import java.nio.ByteBuffer;
import java.util.zip.Inflater;

/**
 * permessage-deflate for one connection, as agreed in the handshake. Without context takeover the
 * zlib state is borrowed from the loop's {@link CompressionPool} for one message and given back;
 * with context takeover the connection keeps its own until {@link #release()}.
 *
 * <p>Not thread safe: used by the connection's event loop thread.
 */
public final class PerMessageDeflate {
    private static final byte[] TAIL = {0, 0, (byte) 0xFF, (byte) 0xFF};

    private final DeflateAgreement agreement;
    private final CompressionPool pool;
    private MessageCompressor compressor;
    private Inflater inflater;

    public PerMessageDeflate(DeflateAgreement agreement, CompressionPool pool) {
        this.agreement = agreement;
        this.pool = pool;
    }

    public DeflateAgreement agreement() {
        return agreement;
    }

    /** Whether a message of {@code bytes} is worth compressing. */
    public boolean worthCompressing(long bytes) {
        return bytes >= agreement.thresholdBytes();
    }

    /** The loop's scratch for the UTF-8 bytes of an outgoing text message, valid until the next call on this loop. */
    public ByteOutput plainScratch() {
        return pool.plainScratch();
    }

    /** The loop's scratch for one piece of inflated output, valid until the next call on this loop. */
    public ByteBuffer inflatedScratch() {
        return pool.inflatedScratch();
    }

    /**
     * Compresses {@code input} (consumed) into the pool's compressed scratch, cleared first, and
     * returns it flipped for reading. Without {@code last} the message continues in later parts.
     * The trailing {@code 00 00 ff ff} of the final part is removed (RFC 7692 §7.2.1).
     */
    public ByteBuffer compress(ByteBuffer input, boolean last) {
        if (compressor == null) {
            compressor = pool.takeCompressor(agreement.localWindowBits(), agreement.level());
        }
        ByteOutput scratch = pool.compressedScratch();
        scratch.clear();
        compressor.compress(input, scratch);
        ByteBuffer result = scratch.flip();
        if (last) {
            result.limit(result.limit() - TAIL.length);
            if (agreement.localNoContextTakeover()) {
                pool.giveCompressor(agreement.localWindowBits(), agreement.level(), compressor);
                compressor = null;
            }
        }
        return result;
    }

    /** The inflater for the message being received: borrowed, or the connection's own. */
    public Inflater inflater() {
        if (inflater == null) {
            inflater = pool.takeInflater();
        }
        return inflater;
    }

    /** Feeds the message's missing tail (RFC 7692 §7.2.2) to the inflater. */
    public void finishInput() {
        inflater.setInput(TAIL);
    }

    /** The message is fully inflated: give the inflater back unless the peer keeps its context. */
    public void messageInflated() {
        if (inflater != null && inflater.finished()) {
            inflater.reset(); // the peer ended its stream with BFINAL: the next message starts a new one
        }
        if (agreement.peerNoContextTakeover() && inflater != null) {
            pool.giveInflater(inflater);
            inflater = null;
        }
    }

    /** A message failed part-way: the borrowed inflater's state is unknown, so it is ended, not pooled. */
    public void messageAborted() {
        if (agreement.peerNoContextTakeover() && inflater != null) {
            inflater.end();
            pool.countEnded();
            inflater = null;
        }
    }

    /** The connection is closed: end or return what it holds, deterministically (no wait for GC). */
    public void release() {
        if (compressor != null) {
            compressor.end();
            pool.countEnded();
            compressor = null;
        }
        if (inflater != null) {
            inflater.end();
            pool.countEnded();
            inflater = null;
        }
    }
}
