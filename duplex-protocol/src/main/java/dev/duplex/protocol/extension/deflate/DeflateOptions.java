package dev.duplex.protocol.extension.deflate;

import dev.duplex.protocol.ProtocolDefaults;
import java.util.zip.Deflater;

/**
 * What one endpoint wants from permessage-deflate (RFC 7692). "Local" is this endpoint's
 * compressor, "peer" the other side's: a server maps local to the {@code server_*} parameters, a
 * client to the {@code client_*} ones.
 *
 * @param level zlib compression level 1–9; default 6
 * @param thresholdBytes messages shorter than this are sent uncompressed (a deflate block header
 *     costs more than it saves on tiny messages); default 256
 * @param localContextTakeover whether our compressor may keep its window across messages (better
 *     ratio, but about 260 KiB of native memory per connection); default false, so compressor state
 *     is pooled per event loop and attached only while a message is compressed
 * @param peerContextTakeover whether we let the peer keep its window (our decompressor then lives
 *     as long as the connection, about 44 KiB); default false
 * @param localMaxWindowBits the largest LZ77 window our compressor uses, 8–15; default 15
 * @param peerMaxWindowBits the largest window we ask the peer to use, 8–15; default 15 (no request)
 */
public record DeflateOptions(int level, int thresholdBytes, boolean localContextTakeover, boolean peerContextTakeover,
        int localMaxWindowBits, int peerMaxWindowBits) {

    public static final int MIN_WINDOW_BITS = 8;
    public static final int MAX_WINDOW_BITS = 15;
    private static final DeflateOptions DEFAULTS = new DeflateOptions(ProtocolDefaults.COMPRESSION_LEVEL,
            ProtocolDefaults.COMPRESSION_THRESHOLD_BYTES, ProtocolDefaults.CONTEXT_TAKEOVER, ProtocolDefaults.CONTEXT_TAKEOVER,
            ProtocolDefaults.MAX_WINDOW_BITS, ProtocolDefaults.MAX_WINDOW_BITS);

    public DeflateOptions {
        if (level < Deflater.BEST_SPEED || level > Deflater.BEST_COMPRESSION) {
            throw new IllegalArgumentException("Compression level must be 1-9: " + level);
        }
        if (thresholdBytes < 0) {
            throw new IllegalArgumentException("thresholdBytes must be >= 0: " + thresholdBytes);
        }
        checkWindow("localMaxWindowBits", localMaxWindowBits);
        checkWindow("peerMaxWindowBits", peerMaxWindowBits);
    }

    /** Level 6, 256-byte threshold, no context takeover either way, 15-bit windows. */
    public static DeflateOptions defaults() {
        return DEFAULTS;
    }

    public DeflateOptions withLevel(int value) {
        return new DeflateOptions(value, thresholdBytes, localContextTakeover, peerContextTakeover, localMaxWindowBits, peerMaxWindowBits);
    }

    public DeflateOptions withThresholdBytes(int value) {
        return new DeflateOptions(level, value, localContextTakeover, peerContextTakeover, localMaxWindowBits, peerMaxWindowBits);
    }

    public DeflateOptions withLocalContextTakeover(boolean value) {
        return new DeflateOptions(level, thresholdBytes, value, peerContextTakeover, localMaxWindowBits, peerMaxWindowBits);
    }

    public DeflateOptions withPeerContextTakeover(boolean value) {
        return new DeflateOptions(level, thresholdBytes, localContextTakeover, value, localMaxWindowBits, peerMaxWindowBits);
    }

    public DeflateOptions withLocalMaxWindowBits(int value) {
        return new DeflateOptions(level, thresholdBytes, localContextTakeover, peerContextTakeover, value, peerMaxWindowBits);
    }

    public DeflateOptions withPeerMaxWindowBits(int value) {
        return new DeflateOptions(level, thresholdBytes, localContextTakeover, peerContextTakeover, localMaxWindowBits, value);
    }

    static boolean isValidWindow(int bits) {
        return bits >= MIN_WINDOW_BITS && bits <= MAX_WINDOW_BITS;
    }

    private static void checkWindow(String name, int bits) {
        if (!isValidWindow(bits)) {
            throw new IllegalArgumentException(name + " must be 8-15 (RFC 7692 §7.1.2): " + bits);
        }
    }
}
